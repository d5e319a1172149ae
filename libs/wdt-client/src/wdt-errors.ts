import { FatalError, NonRetriableError, RetriableError } from '@app/contracts';
import type { ApiOutcome, SyncError } from '@app/contracts';

/** What went wrong with one WDT call, before it is classified. */
export type WdtFailure =
  | { kind: 'vendor'; code: string; message: string; subCode?: string; gateway: boolean }
  /** A TOP-style `{"error_response": {...}}` of the Qimen gateway (no `response` node). */
  | { kind: 'top'; code: string; message: string; subCode?: string }
  | { kind: 'http'; status: number }
  | { kind: 'timeout'; timeoutMs: number }
  | { kind: 'network'; cause: unknown }
  | { kind: 'malformed'; detail: string };

export interface WdtErrorContext {
  route: 'qimen' | 'openapi';
  /** Wait asked of the caller after a 1012 (WDT: at least 30 s). */
  rateLimitBackoffMs: number;
}

interface Rule {
  when: (failure: WdtFailure) => boolean;
  outcome: ApiOutcome;
  build: (failure: WdtFailure, context: WdtErrorContext) => SyncError;
}

const vendor = (failure: WdtFailure) => (failure.kind === 'vendor' ? failure : undefined);
const top = (failure: WdtFailure) => (failure.kind === 'top' ? failure : undefined);
const text = (failure: WdtFailure): string => {
  const v = vendor(failure) ?? top(failure);
  return v ? `${v.code}${v.subCode ? `/${v.subCode}` : ''}: ${v.message}` : failure.kind;
};
/** A TOP `error_response` whose code is one of these, or whose sub_code matches `subCode`. */
const isTop =
  (codes: string[], subCode?: RegExp) =>
  (failure: WdtFailure): boolean => {
    const t = top(failure);
    return (
      t !== undefined &&
      (codes.includes(t.code) ||
        (subCode !== undefined && t.subCode !== undefined && subCode.test(t.subCode)))
    );
  };
const isCode =
  (...codes: string[]) =>
  (failure: WdtFailure) => {
    const v = vendor(failure);
    return (
      v !== undefined && (codes.includes(v.code) || (v.subCode !== undefined && codes.includes(v.subCode)))
    );
  };
/** Code 100 covers appkey, timestamp and sign; its message only picks the hint, never the class. */
const code100About = (pattern: RegExp) => (failure: WdtFailure) => {
  const v = vendor(failure);
  return v !== undefined && v.code === '100' && pattern.test(v.message);
};
const secretVar = (context: WdtErrorContext) =>
  context.route === 'qimen' ? 'WDT_QIMEN_APP_SECRET' : 'WDT_APP_SECRET';
const keyVar = (context: WdtErrorContext) =>
  context.route === 'qimen' ? 'WDT_QIMEN_APP_KEY' : 'WDT_APP_KEY';
const any =
  (...tests: Array<(failure: WdtFailure) => boolean>) =>
  (failure: WdtFailure) =>
    tests.some((t) => t(failure));

/**
 * THE mapping of WDT answers onto erpsync's error roots (first match wins). Nothing else in erpsync
 * decides retry or stop for a WDT call.
 */
export const WDT_ERROR_RULES: readonly Rule[] = [
  // TOP gateway error codes (`error_response`, see docs/wdt.md): auth-class codes stop with the
  // variable to check; every other TOP failure is the gateway's and is retried
  {
    when: isTop(['7'], /call-?limit|accesscontrol\.limited/i),
    outcome: 'rate_limited',
    build: (f, c) =>
      new RetriableError(`the Qimen gateway limits the calls (${text(f)}): backing off`, {
        reason: 'rate_limited',
        code: top(f)?.code,
        retryAfterMs: c.rateLimitBackoffMs,
      }),
  },
  {
    when: isTop(['24', '25'], /sign/i),
    outcome: 'auth_error',
    build: (f, c) =>
      new FatalError(`WDT rejected the signature: check ${secretVar(c)} (gateway ${text(f)})`, {
        reason: 'signature',
        code: top(f)?.code,
      }),
  },
  {
    when: isTop(['28', '29'], /app-?key/i),
    outcome: 'auth_error',
    build: (f, c) =>
      new FatalError(`WDT does not accept the app key: check ${keyVar(c)} (gateway ${text(f)})`, {
        reason: 'credentials',
        code: top(f)?.code,
      }),
  },
  {
    when: isTop(['30', '31'], /timestamp/i),
    outcome: 'auth_error',
    build: (f) =>
      new FatalError(
        `WDT rejected the timestamp: check this host's clock, WDT allows 5 minutes of skew (gateway ${text(f)})`,
        { reason: 'clock', code: top(f)?.code },
      ),
  },
  {
    when: isTop(['11', '12', '13', '26', '27'], /permission|session|target-app-key|invalid-sid/i),
    outcome: 'auth_error',
    build: (f, c) =>
      new FatalError(
        `the Qimen gateway refused the app's authorisation: check WDT_SID, ${keyVar(c)}${c.route === 'qimen' ? ', WDT_TARGET_APP_KEY' : ''} and ${secretVar(c)} (gateway ${text(f)})`,
        { reason: 'credentials', code: top(f)?.code },
      ),
  },
  {
    when: (f) => f.kind === 'top',
    outcome: 'server_error',
    build: (f) =>
      new RetriableError(`the Qimen gateway failed the call (${text(f)}): retrying`, {
        reason: 'gateway_error',
        code: top(f)?.code,
      }),
  },
  {
    when: isCode('1012'),
    outcome: 'rate_limited',
    build: (f, c) =>
      new RetriableError(`WDT says it is called too often (${text(f)}): backing off`, {
        reason: 'rate_limited',
        code: '1012',
        retryAfterMs: c.rateLimitBackoffMs,
      }),
  },
  {
    when: any(
      isCode('sign-check-failure', 'invalid-signature', 'isv.invalid-signature'),
      code100About(/sign/i),
    ),
    outcome: 'auth_error',
    build: (f, c) =>
      new FatalError(`WDT rejected the signature: check ${secretVar(c)} (${text(f)})`, {
        reason: 'signature',
        code: vendor(f)?.code,
      }),
  },
  {
    when: any(
      isCode('isv.appkey-not-exists', 'invalid-app-key', 'isv.invalid-app-key'),
      code100About(/app_?key/i),
    ),
    outcome: 'auth_error',
    build: (f, c) =>
      new FatalError(`WDT does not accept the app key: check ${keyVar(c)} (${text(f)})`, {
        reason: 'credentials',
        code: vendor(f)?.code,
      }),
  },
  {
    when: any(isCode('invalid-timestamp', 'isv.invalid-timestamp'), code100About(/timestamp/i)),
    outcome: 'auth_error',
    build: (f) =>
      new FatalError(
        `WDT rejected the timestamp: check this host's clock, WDT allows 5 minutes of skew (${text(f)})`,
        {
          reason: 'clock',
          code: vendor(f)?.code,
        },
      ),
  },
  {
    when: isCode('100', 'isv.invalid-target-app-key', 'invalid-target-app-key', 'isv.invalid-sid'),
    outcome: 'auth_error',
    build: (f, c) =>
      new FatalError(
        `WDT rejected the credentials: check WDT_SID, ${keyVar(c)}${c.route === 'qimen' ? ', WDT_TARGET_APP_KEY' : ''} and ${secretVar(c)} (${text(f)})`,
        { reason: 'credentials', code: vendor(f)?.code },
      ),
  },
  {
    // Qimen platform-side failures (isp.*) are the gateway's own trouble: try again later
    when: (f) => f.kind === 'vendor' && f.gateway && /^isp\./.test(f.subCode ?? f.code),
    outcome: 'server_error',
    build: (f) =>
      new RetriableError(`Qimen gateway failure (${text(f)})`, {
        reason: 'server_error',
        code: vendor(f)?.code,
      }),
  },
  {
    when: (f) => f.kind === 'vendor' && f.gateway,
    outcome: 'auth_error',
    build: (f) =>
      new FatalError(`the Qimen gateway rejected the call: check the WDT_* configuration (${text(f)})`, {
        reason: 'gateway',
        code: vendor(f)?.code,
      }),
  },
  {
    when: (f) => f.kind === 'vendor',
    outcome: 'business_error',
    build: (f) =>
      new NonRetriableError(`WDT rejected the request parameters (${text(f)})`, {
        reason: 'parameter',
        code: vendor(f)?.code,
      }),
  },
  {
    when: (f) => f.kind === 'http' && f.status === 429,
    outcome: 'rate_limited',
    build: (_f, c) =>
      new RetriableError('WDT answered HTTP 429', {
        reason: 'rate_limited',
        code: 429,
        retryAfterMs: c.rateLimitBackoffMs,
      }),
  },
  {
    when: (f) => f.kind === 'http' && f.status >= 500,
    outcome: 'server_error',
    build: (f) =>
      new RetriableError(`WDT answered HTTP ${f.kind === 'http' ? f.status : ''}`, {
        reason: 'server_error',
        code: f.kind === 'http' ? f.status : undefined,
      }),
  },
  {
    when: (f) => f.kind === 'http' && (f.status === 404 || f.status === 405),
    outcome: 'business_error',
    build: (f) =>
      new FatalError(
        `WDT answered HTTP ${f.kind === 'http' ? f.status : ''}: check WDT_BASE_URL and WDT_ROUTE`,
        {
          reason: 'not_found',
          code: f.kind === 'http' ? f.status : undefined,
        },
      ),
  },
  {
    when: (f) => f.kind === 'http',
    outcome: 'business_error',
    build: (f) =>
      new NonRetriableError(`WDT answered HTTP ${f.kind === 'http' ? f.status : ''}`, {
        reason: 'http_error',
        code: f.kind === 'http' ? f.status : undefined,
      }),
  },
  {
    when: (f) => f.kind === 'timeout',
    outcome: 'timeout',
    build: (f) =>
      new RetriableError(`WDT did not answer within ${f.kind === 'timeout' ? f.timeoutMs : '?'} ms`, {
        reason: 'timeout',
      }),
  },
  {
    when: (f) => f.kind === 'network',
    outcome: 'network_error',
    build: (f) =>
      new RetriableError(`WDT could not be reached: ${f.kind === 'network' ? describeCause(f.cause) : ''}`, {
        reason: 'network',
        cause: f.kind === 'network' ? f.cause : undefined,
      }),
  },
  {
    when: (f) => f.kind === 'malformed',
    outcome: 'server_error',
    build: (f) =>
      new RetriableError(`WDT sent an unreadable answer: ${f.kind === 'malformed' ? f.detail : ''}`, {
        reason: 'malformed_response',
      }),
  },
];

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as { cause?: unknown }).cause;
    const code = (inner as { code?: string } | undefined)?.code ?? (cause as { code?: string }).code;
    return code ? `${cause.message} (${code})` : cause.message;
  }
  return String(cause);
}

/** Classifies a failed WDT call: the error to throw and the metric outcome. */
export function mapWdtFailure(
  failure: WdtFailure,
  context: WdtErrorContext,
): { error: SyncError; outcome: ApiOutcome } {
  const rule = WDT_ERROR_RULES.find((candidate) => candidate.when(failure));
  // the last rules cover every kind, so a rule is always found
  const chosen = rule ?? WDT_ERROR_RULES[WDT_ERROR_RULES.length - 1];
  return { error: chosen.build(failure, context), outcome: chosen.outcome };
}
