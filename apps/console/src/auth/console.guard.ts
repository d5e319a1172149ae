import { timingSafeEqual } from 'node:crypto';
import {
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuditTrail } from '../audit/audit-trail';
import { cookieOf, CSRF_HEADER, SESSION_COOKIE, type ConsoleRequest } from './console-request';
import { AUDITED_ACTION, OPERATOR_ONLY, PUBLIC_ROUTE } from './roles';
import { SessionService } from './session.service';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const sameText = (a: string, b: string): boolean => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/**
 * Whether a state-changing request comes from the console's own pages: a browser names the page's
 * origin (Origin, else Referer) and, when it sends Sec-Fetch-Site, says same-origin. Non-browser
 * clients send neither and are held to the CSRF token alone.
 */
export function crossSiteReason(request: ConsoleRequest): string | undefined {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site: ${site}`;
  const claimed = request.headers.origin ?? request.headers.referer;
  if (typeof claimed !== 'string' || claimed === '') return undefined;
  let origin: string;
  try {
    origin = new URL(claimed).host;
  } catch {
    return `unreadable origin "${claimed}"`;
  }
  const host =
    request.headers['x-forwarded-host'] && request.app.get('trust proxy')
      ? request.headers['x-forwarded-host']
      : request.headers.host;
  return origin === host ? undefined : `origin ${origin} is not ${String(host)}`;
}

/**
 * Every /api route: a live session (401 without), the CSRF token and same-origin on every
 * state-changing method (403), the operator role where a route asks for it (403). Refusals of an
 * action are audited. /health, /metrics and the SPA's files are outside /api and open.
 */
@Injectable()
export class ConsoleGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionService,
    private readonly audit: AuditTrail,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ConsoleRequest>();
    if (!request.path.startsWith('/api/') && request.path !== '/api') return true;
    const meta = <T>(key: string) =>
      this.reflector.getAllAndOverride<T | undefined>(key, [context.getHandler(), context.getClass()]);
    const action = meta<string>(AUDITED_ACTION) ?? `${request.method} ${request.path}`;
    const unsafe = !SAFE_METHODS.has(request.method);
    if (meta<boolean>(PUBLIC_ROUTE)) {
      const crossSite = unsafe ? crossSiteReason(request) : undefined;
      if (crossSite) throw new ForbiddenException(`cross-site request refused (${crossSite})`);
      return true;
    }
    const token = cookieOf(request, SESSION_COOKIE);
    const session = token ? await this.sessions.resume(token) : null;
    if (!session) throw new UnauthorizedException('sign in first');
    request.signedIn = session;
    if (unsafe) {
      const crossSite = crossSiteReason(request);
      const presented = request.headers[CSRF_HEADER];
      const problem =
        crossSite ??
        (typeof presented !== 'string' || !sameText(presented, session.csrfToken)
          ? 'missing or wrong CSRF token'
          : undefined);
      if (problem) {
        await this.audit.record(request, action, { path: request.path }, 'refused', problem);
        throw new ForbiddenException(`request refused: ${problem}`);
      }
    }
    if (meta<boolean>(OPERATOR_ONLY) && session.role !== 'operator') {
      await this.audit.record(request, action, { path: request.path }, 'refused', `role ${session.role}`);
      throw new ForbiddenException('operators only');
    }
    return true;
  }
}
