/**
 * The two error roots. Clients map vendor codes onto them in one place; consumers decide retry or
 * dead-letter by class, never by matching message text. Anything else (TypeError …) is a
 * programming error and is never retried.
 */
export abstract class SyncError extends Error {
  abstract readonly retriable: boolean;
  /** Short machine-readable reason from a small fixed set: safe as a metric label and a DLQ header. */
  readonly reason: string;
  /** Vendor code when there is one (WDT code, Xingchen errcode, HTTP status). */
  readonly code?: string;

  constructor(message: string, options: { reason: string; code?: string | number; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.reason = options.reason;
    this.code = options.code === undefined ? undefined : String(options.code);
  }
}

/** Network, 5xx, 429, timeouts, token expiry: back off and try again. */
export class RetriableError extends SyncError {
  readonly retriable = true;
  /** Minimum wait before the next attempt, when the remote said so (Retry-After, WDT 1012). */
  readonly retryAfterMs?: number;

  constructor(
    message: string,
    options: { reason: string; code?: string | number; cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Bad schema, impossible mapping, business rejection, bad credentials: will never succeed as is. */
export class NonRetriableError extends SyncError {
  readonly retriable = false;
}

export const isRetriable = (error: unknown): boolean => error instanceof RetriableError;

/**
 * The service cannot do any work until an operator fixes something (wrong secret, rejected
 * signature, clock skew). Consumers stop without committing and turn /health/ready red with the
 * cause, instead of dead-lettering every message or retrying in a loop.
 */
export class FatalError extends SyncError {
  readonly retriable = false;
}
