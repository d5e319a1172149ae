import {
  FatalError,
  NonRetriableError,
  RetriableError,
  type ApiOutcome,
  type SyncError,
} from '@app/contracts';

/**
 * Every Xingchen / Kingdee gateway code erpsync knows, and what it means for a caller, in ONE
 * table. Nobody else decides retry or discard by looking at codes or message text.
 */

export type XingchenOperation =
  | 'token'
  | 'sal_order_save'
  | 'sal_order_list'
  | 'sal_order_detail'
  | 'customer_detail'
  | 'material_detail'
  | 'store_detail';

type RuleKind =
  /** back off and try again */
  | 'retriable'
  /** this request will never succeed as is */
  | 'non_retriable'
  /** nothing will succeed until an operator fixes the configuration or the clock */
  | 'fatal'
  /** the app-token is missing, unknown or expired: refresh it once and repeat the call */
  | 'token'
  /** look-up found nothing: an expected outcome, returned as `null` */
  | 'not_found';

export interface ErrorRule {
  kind: RuleKind;
  /** Short fixed label: metric-safe and a DLQ header. */
  reason: string;
  outcome: ApiOutcome;
  /** The gateway is throttling: slow the bucket down. */
  throttle?: boolean;
  /** For fatal errors: what the operator should check. */
  cause?: string;
}

/** HTTP 519 gateway codes. */
const gatewayCodes: Record<number, ErrorRule> = {
  4003: {
    kind: 'fatal',
    reason: 'client_id_invalid',
    outcome: 'auth_error',
    cause: 'the gateway does not know XINGCHEN_CLIENT_ID',
  },
  4005: {
    kind: 'fatal',
    reason: 'client_credentials_invalid',
    outcome: 'auth_error',
    cause: 'the gateway rejected XINGCHEN_CLIENT_ID / XINGCHEN_CLIENT_SECRET',
  },
  4006: {
    kind: 'fatal',
    reason: 'clock_skew',
    outcome: 'auth_error',
    cause: "the gateway rejected X-Api-TimeStamp: this host's clock is more than 5 minutes off (check NTP)",
  },
  4007: {
    kind: 'fatal',
    reason: 'sign_headers_invalid',
    outcome: 'auth_error',
    cause: 'the gateway rejected X-Api-SignHeaders / X-Api-Auth-Version',
  },
  4008: {
    kind: 'fatal',
    reason: 'signature_invalid',
    outcome: 'auth_error',
    cause: 'the gateway computed a different X-Api-Signature: XINGCHEN_CLIENT_SECRET is probably wrong',
  },
  4009: { kind: 'token', reason: 'token_missing', outcome: 'auth_error' },
  4010: { kind: 'token', reason: 'token_invalid', outcome: 'auth_error' },
  4011: { kind: 'token', reason: 'token_expired', outcome: 'auth_error' },
  4012: {
    kind: 'fatal',
    reason: 'no_permission',
    outcome: 'auth_error',
    cause: 'no permission for this API or account set: check XINGCHEN_DOMAIN and the app authorization',
  },
  5000: { kind: 'retriable', reason: 'gateway_internal_error', outcome: 'server_error' },
  5003: { kind: 'retriable', reason: 'api_unavailable', outcome: 'server_error' },
  5004: { kind: 'retriable', reason: 'api_timeout', outcome: 'server_error' },
  5007: { kind: 'retriable', reason: 'overloaded', outcome: 'rate_limited', throttle: true },
};

/** `errcode` of an HTTP 200 answer (business codes of docs/xingchen-api.md). */
const businessCodes: Record<number, ErrorRule> = {
  1001: { kind: 'not_found', reason: 'not_found', outcome: 'success' },
  2001: { kind: 'non_retriable', reason: 'invalid_field', outcome: 'business_error' },
  2002: { kind: 'non_retriable', reason: 'customer_not_found', outcome: 'business_error' },
  2003: { kind: 'non_retriable', reason: 'material_not_found', outcome: 'business_error' },
  2004: { kind: 'non_retriable', reason: 'store_not_found', outcome: 'business_error' },
  2005: { kind: 'non_retriable', reason: 'unit_not_allowed', outcome: 'business_error' },
  2006: { kind: 'non_retriable', reason: 'bill_exists', outcome: 'business_error' },
  2007: { kind: 'non_retriable', reason: 'order_not_found', outcome: 'business_error' },
  2008: { kind: 'non_retriable', reason: 'order_audited', outcome: 'business_error' },
  1030002006: {
    kind: 'fatal',
    reason: 'app_secret_invalid',
    outcome: 'auth_error',
    cause:
      'the token endpoint rejected app_signature (1030002006 授权密钥校验失败): XINGCHEN_APP_KEY / XINGCHEN_APP_SECRET wrong or rotated',
  },
};

const rateLimited: ErrorRule = {
  kind: 'retriable',
  reason: 'rate_limited',
  outcome: 'rate_limited',
  throttle: true,
};
const unknownGateway: ErrorRule = { kind: 'retriable', reason: 'gateway_error', outcome: 'server_error' };
const unknownBusiness: ErrorRule = {
  kind: 'non_retriable',
  reason: 'business_error',
  outcome: 'business_error',
};
const serverError: ErrorRule = { kind: 'retriable', reason: 'server_error', outcome: 'server_error' };
const badRequest: ErrorRule = { kind: 'non_retriable', reason: 'bad_request', outcome: 'business_error' };
const wrongEndpoint: ErrorRule = {
  kind: 'fatal',
  reason: 'unexpected_http_status',
  outcome: 'auth_error',
  cause: 'unexpected HTTP status from the gateway: check XINGCHEN_BASE_URL',
};
const malformed: ErrorRule = { kind: 'retriable', reason: 'malformed_response', outcome: 'server_error' };

/** Which rule applies to a failed answer. `status` is the HTTP status, `code` the 519 code, `errcode` the business code. */
export function ruleFor(answer: { status: number; code?: number; errcode?: number }): ErrorRule {
  if (answer.status === 519)
    return (answer.code !== undefined && gatewayCodes[answer.code]) || unknownGateway;
  if (answer.status === 429) return rateLimited;
  if (answer.status >= 500) return serverError;
  if (answer.status === 400 || answer.status === 422) return badRequest;
  if (answer.status >= 300) return wrongEndpoint;
  if (answer.errcode !== undefined) return businessCodes[answer.errcode] ?? unknownBusiness;
  return malformed;
}

/** A modify or create whose outcome is unknown (timeout or connection lost after sending): look the bill up before repeating. */
export class XingchenAmbiguousError extends RetriableError {}

/** A business rejection of Xingchen, with its errcode (2001–2008 …) in `code`. */
export class XingchenBusinessError extends NonRetriableError {
  readonly errcode: number;
  constructor(message: string, options: { reason: string; errcode: number }) {
    super(message, { reason: options.reason, code: options.errcode });
    this.errcode = options.errcode;
  }
}

/** The app-token was refused (4009/4010/4011); the client refreshes once and repeats the call. */
export class XingchenTokenRejectedError extends RetriableError {}

/** Builds the error for a rule; `detail` is the vendor's description (never a secret). */
export function errorFor(
  rule: ErrorRule,
  context: {
    operation: XingchenOperation;
    status: number;
    code?: number;
    detail?: string;
    retryAfterMs?: number;
  },
): SyncError {
  const code = context.code ?? context.status;
  const where = `xingchen ${context.operation}`;
  const detail = context.detail ? `: ${context.detail}` : '';
  switch (rule.kind) {
    case 'fatal':
      return new FatalError(
        `${where} failed (${code} ${rule.reason}): ${rule.cause ?? 'configuration error'}${detail}`,
        {
          reason: rule.reason,
          code,
        },
      );
    case 'token':
      return new XingchenTokenRejectedError(`${where}: app-token refused (${code})${detail}`, {
        reason: rule.reason,
        code,
      });
    case 'non_retriable':
      return context.code !== undefined && context.status === 200
        ? new XingchenBusinessError(`${where} rejected (${code} ${rule.reason})${detail}`, {
            reason: rule.reason,
            errcode: context.code,
          })
        : new NonRetriableError(`${where} rejected (${code} ${rule.reason})${detail}`, {
            reason: rule.reason,
            code,
          });
    case 'not_found':
      return new NonRetriableError(`${where}: not found${detail}`, { reason: rule.reason, code });
    default:
      return new RetriableError(`${where} failed (${code} ${rule.reason})${detail}`, {
        reason: rule.reason,
        code,
        retryAfterMs: context.retryAfterMs,
      });
  }
}

/** A request that got no HTTP answer. */
export interface TransportFailure {
  kind: 'timeout' | 'network';
  /** The request left this process completely: the server may have applied it. */
  sent: boolean;
  message: string;
}

/** The same table for answers that never came: a save that may have been applied is ambiguous. */
export function transportError(
  operation: XingchenOperation,
  failure: TransportFailure,
): { error: RetriableError; outcome: ApiOutcome } {
  const outcome: ApiOutcome = failure.kind === 'timeout' ? 'timeout' : 'network_error';
  if (operation === 'sal_order_save' && failure.sent) {
    const reason = failure.kind === 'timeout' ? 'ambiguous_timeout' : 'ambiguous_network_error';
    return {
      error: new XingchenAmbiguousError(
        `xingchen ${operation}: no answer (${failure.message}); the save may have been applied`,
        { reason },
      ),
      outcome,
    };
  }
  const reason = failure.kind === 'timeout' ? 'timeout' : 'network_error';
  return {
    error: new RetriableError(`xingchen ${operation}: no answer (${failure.message})`, { reason }),
    outcome,
  };
}
