import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpException,
  HttpStatus,
  Inject,
  Post,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import { type Response } from 'express';
import { type LoginRequest, type SessionInfo } from '../console-api';
import { CONSOLE_CONFIG, type ConsoleConfig } from '../console.tokens';
import { AuditTrail } from '../audit/audit-trail';
import { clientOf, SESSION_COOKIE, type ConsoleRequest, type SignedIn } from './console-request';
import { LoginThrottle } from './login-throttle';
import { Action, Public } from './roles';
import { SessionService } from './session.service';
import { requireText } from '../http/validation';

const info = (session: SignedIn): SessionInfo => ({
  user: session.user,
  role: session.role,
  csrfToken: session.csrfToken,
  expiresAt: session.expiresAt.toISOString(),
});

@Controller('api/session')
export class SessionController {
  private readonly throttle = new LoginThrottle();

  constructor(
    private readonly sessions: SessionService,
    private readonly audit: AuditTrail,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  @Public()
  @Action('login')
  @Post()
  @HttpCode(200)
  async signIn(
    @Body() body: Partial<LoginRequest>,
    @Req() request: ConsoleRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SessionInfo> {
    const user = requireText(body?.user, 'user', 64);
    const password = requireText(body?.password, 'password', 1024);
    const keys = [`client:${clientOf(request)}`, `user:${user}`];
    const waitMs = this.throttle.retryAfterMs(...keys);
    if (waitMs > 0) {
      await this.audit.record(request, 'login', { user }, 'refused', 'too many failed sign-ins', {
        user,
        role: 'none',
      });
      response.setHeader('Retry-After', String(Math.ceil(waitMs / 1000)));
      throw new HttpException('too many failed sign-ins: try again later', HttpStatus.TOO_MANY_REQUESTS);
    }
    const opened = await this.sessions.signIn(user, password);
    if (!opened) {
      this.throttle.failed(...keys);
      await this.audit.record(request, 'login', { user }, 'refused', 'wrong user or password', {
        user,
        role: 'none',
      });
      throw new UnauthorizedException('wrong user or password');
    }
    this.throttle.succeeded(`user:${user}`);
    const { token, session } = opened;
    response.cookie(SESSION_COOKIE, token, {
      httpOnly: true,
      secure: this.config.CONSOLE_COOKIE_SECURE,
      sameSite: 'strict',
      path: '/',
    });
    await this.audit.record(request, 'login', { user }, 'ok', undefined, { user, role: session.role });
    return info(session);
  }

  @Get()
  current(@Req() request: ConsoleRequest): SessionInfo {
    return info(request.signedIn!);
  }

  @Action('logout')
  @Delete()
  @HttpCode(204)
  async signOut(
    @Req() request: ConsoleRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    await this.sessions.signOut(request.signedIn!);
    response.clearCookie(SESSION_COOKIE, {
      httpOnly: true,
      secure: this.config.CONSOLE_COOKIE_SECURE,
      sameSite: 'strict',
      path: '/',
    });
    await this.audit.record(request, 'logout', {}, 'ok');
  }
}
