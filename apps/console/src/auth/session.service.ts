import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ConsoleSessionRepository, type ConsoleRole } from '@app/persistence';
import { CONSOLE_CONFIG, type ConsoleConfig } from '../console.tokens';
import { type SignedIn } from './console-request';
import { ConsoleUsers } from './console-users';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Sign-in, session look-up (renewed by use) and sign-out; only token hashes reach the database. */
@Injectable()
export class SessionService {
  private readonly lifetimeMs: number;

  constructor(
    private readonly users: ConsoleUsers,
    private readonly sessions: ConsoleSessionRepository,
    @Inject(CONSOLE_CONFIG) config: ConsoleConfig,
  ) {
    this.lifetimeMs = config.CONSOLE_SESSION_HOURS * 3600_000;
  }

  /** A new session for valid credentials (its token goes in the cookie), or null. */
  async signIn(user: string, password: string): Promise<{ token: string; session: SignedIn } | null> {
    const found = await this.users.authenticate(user, password);
    if (!found) return null;
    return this.open(found.name, found.role);
  }

  async open(user: string, role: ConsoleRole): Promise<{ token: string; session: SignedIn }> {
    const token = randomBytes(32).toString('base64url');
    const session: SignedIn = {
      user,
      role,
      csrfToken: randomBytes(32).toString('base64url'),
      expiresAt: new Date(Date.now() + this.lifetimeMs),
      tokenHash: sha256(token),
    };
    await this.sessions.create(session.tokenHash, {
      username: user,
      role,
      csrfToken: session.csrfToken,
      expiresAt: session.expiresAt,
    });
    return { token, session };
  }

  /** The session of a cookie token, renewed; null when unknown or expired. */
  async resume(token: string): Promise<SignedIn | null> {
    const tokenHash = sha256(token);
    const found = await this.sessions.touch(tokenHash, new Date(Date.now() + this.lifetimeMs));
    return found
      ? {
          user: found.username,
          role: found.role,
          csrfToken: found.csrfToken,
          expiresAt: found.expiresAt,
          tokenHash,
        }
      : null;
  }

  async signOut(session: SignedIn): Promise<void> {
    await this.sessions.delete(session.tokenHash);
  }
}
