import { type Request } from 'express';
import { type ConsoleRole } from '@app/persistence';

export interface SignedIn {
  user: string;
  role: ConsoleRole;
  csrfToken: string;
  expiresAt: Date;
  tokenHash: string;
}

/** A request the guard has let through: `signedIn` is set on every /api route but the public ones. */
export type ConsoleRequest = Request & { signedIn?: SignedIn };

export const SESSION_COOKIE = 'erpsync_console';
export const CSRF_HEADER = 'x-csrf-token';

/** The value of one cookie of the request (no cookie-parser needed for one cookie). */
export function cookieOf(request: Request, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    if (part.slice(0, index).trim() === name) return decodeURIComponent(part.slice(index + 1).trim());
  }
  return undefined;
}

/** The client address (X-Forwarded-For only when CONSOLE_TRUST_PROXY made express trust it). */
export const clientOf = (request: Request): string => request.ip ?? request.socket.remoteAddress ?? 'unknown';
