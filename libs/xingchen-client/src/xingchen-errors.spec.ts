import { FatalError, NonRetriableError, RetriableError } from '@app/contracts';
import {
  errorFor,
  ruleFor,
  transportError,
  XingchenAmbiguousError,
  XingchenBusinessError,
  XingchenAppSecretRejectedError,
  XingchenTokenRejectedError,
  type FailedAnswer,
} from './xingchen-errors';

const classify = (answer: FailedAnswer) => {
  const rule = ruleFor(answer);
  const error = errorFor(rule, {
    operation: answer.operation ?? 'sal_order_save',
    status: answer.status,
    code: answer.code ?? answer.errcode,
  });
  const kind =
    error instanceof XingchenTokenRejectedError
      ? 'token'
      : error instanceof XingchenAppSecretRejectedError
        ? 'app_secret'
        : error instanceof FatalError
          ? 'fatal'
          : error instanceof RetriableError
            ? 'retriable'
            : error instanceof NonRetriableError
              ? 'non_retriable'
              : 'other';
  return [kind, error.reason] as const;
};

describe('xingchen error table', () => {
  it.each<[FailedAnswer, string, string]>([
    [{ status: 519, code: 4001 }, 'fatal', 'auth_type_unsupported'],
    [{ status: 519, code: 4002 }, 'fatal', 'client_id_missing'],
    [{ status: 519, code: 4003 }, 'fatal', 'client_id_invalid'],
    [{ status: 519, code: 4004 }, 'fatal', 'client_secret_missing'],
    [{ status: 519, code: 4005 }, 'fatal', 'client_credentials_invalid'],
    [{ status: 519, code: 4006 }, 'fatal', 'clock_skew'],
    [{ status: 519, code: 4007 }, 'fatal', 'sign_headers_invalid'],
    [{ status: 519, code: 4008 }, 'fatal', 'signature_invalid'],
    [{ status: 519, code: 4009 }, 'token', 'token_missing'],
    [{ status: 519, code: 4010 }, 'token', 'token_invalid'],
    [{ status: 519, code: 4011 }, 'token', 'token_expired'],
    [{ status: 519, code: 4012, family: 'v1' }, 'fatal', 'no_permission'],
    [{ status: 519, code: 4012, family: 'v2' }, 'fatal', 'no_permission'],
    [{ status: 519, code: 5000 }, 'retriable', 'gateway_internal_error'],
    [{ status: 519, code: 5001 }, 'fatal', 'api_not_found'],
    [{ status: 519, code: 5002 }, 'fatal', 'method_not_allowed'],
    [{ status: 519, code: 5003 }, 'retriable', 'api_unavailable'],
    [{ status: 519, code: 5004 }, 'retriable', 'api_timeout'],
    [{ status: 519, code: 5005 }, 'retriable', 'request_cancelled'],
    [{ status: 519, code: 5006 }, 'retriable', 'request_fused'],
    [{ status: 519, code: 5007 }, 'retriable', 'overloaded'],
    [{ status: 519, code: 4999 }, 'retriable', 'gateway_error'],
    [{ status: 401 }, 'token', 'unauthorized'],
    [{ status: 429 }, 'retriable', 'rate_limited'],
    [{ status: 502 }, 'retriable', 'server_error'],
    [{ status: 404 }, 'fatal', 'unexpected_http_status'],
    [{ status: 400 }, 'non_retriable', 'bad_request'],
    [{ status: 200 }, 'retriable', 'malformed_response'],
    // every business refusal is the same rule, whatever its code
    [{ status: 200, refused: true, errcode: 1001 }, 'non_retriable', 'business_error'],
    [{ status: 200, refused: true, errcode: 2006 }, 'non_retriable', 'business_error'],
    [{ status: 200, refused: true, errcode: 2003 }, 'non_retriable', 'business_error'],
    [{ status: 200, refused: true }, 'non_retriable', 'business_error'],
    [{ status: 200, refused: true, errcode: 1030002006 }, 'non_retriable', 'business_error'],
    // refusals of the authentication calls: the credentials are wrong
    [
      { status: 200, refused: true, errcode: 1030002006, operation: 'token' },
      'app_secret',
      'app_secret_invalid',
    ],
    [{ status: 200, refused: true, errcode: 1003, operation: 'token' }, 'fatal', 'token_rejected'],
    [{ status: 200, refused: true, errcode: 1000, operation: 'login' }, 'fatal', 'login_rejected'],
    [{ status: 200, refused: true, operation: 'account_group' }, 'fatal', 'account_group_rejected'],
    [{ status: 200, refused: true, operation: 'authorize' }, 'fatal', 'authorize_rejected'],
    [{ status: 429, operation: 'login' }, 'retriable', 'rate_limited'],
  ])('%j → %s %s', (answer, kind, reason) => {
    expect(classify(answer)).toEqual([kind, reason]);
  });

  it('marks the throttling answers so the bucket slows down', () => {
    expect(ruleFor({ status: 429 }).throttle).toBe(true);
    expect(ruleFor({ status: 519, code: 5007 }).throttle).toBe(true);
    expect(ruleFor({ status: 519, code: 5003 }).throttle).toBeUndefined();
  });

  it('gives business rejections the vendor code and text as data', () => {
    const error = errorFor(ruleFor({ status: 200, refused: true, errcode: 2008 }), {
      operation: 'sal_order_save',
      status: 200,
      code: 2008,
      detail: '已审核',
    });
    expect(error).toBeInstanceOf(XingchenBusinessError);
    expect((error as XingchenBusinessError).errcode).toBe(2008);
    expect((error as XingchenBusinessError).vendorText).toBe('已审核');
    expect(error.code).toBe('2008');
    expect(error.reason).toBe('business_error');
    expect(error.message).toBe('xingchen sal_order_save rejected (2008): 已审核');
    const uncoded = errorFor(ruleFor({ status: 200, refused: true }), {
      operation: 'sal_order_save',
      status: 200,
      detail: '商品不存在',
    });
    expect(uncoded).toBeInstanceOf(XingchenBusinessError);
    expect((uncoded as XingchenBusinessError).errcode).toBeUndefined();
    expect(uncoded.message).toBe('xingchen sal_order_save rejected (no code): 商品不存在');
  });

  it('names the variables to check: 5001/5002 the family and base URL, 4012 per family', () => {
    for (const code of [5001, 5002]) {
      const error = errorFor(ruleFor({ status: 519, code }), {
        operation: 'sal_order_save',
        status: 519,
        code,
      });
      expect(error).toBeInstanceOf(FatalError);
      expect(error.message).toContain('XINGCHEN_API');
      expect(error.message).toContain('XINGCHEN_BASE_URL');
    }
    const v1 = errorFor(ruleFor({ status: 519, code: 4012, family: 'v1' }), {
      operation: 'sal_order_save',
      status: 519,
    });
    expect(v1.message).toContain('XINGCHEN_ACCOUNT_ID');
    expect(v1.message).toContain('XINGCHEN_USERNAME');
    const v2 = errorFor(ruleFor({ status: 519, code: 4012, family: 'v2' }), {
      operation: 'sal_order_save',
      status: 519,
    });
    expect(v2.message).toContain('authorization');
    const login = errorFor(ruleFor({ status: 200, refused: true, operation: 'login' }), {
      operation: 'login',
      status: 200,
    });
    expect(login.message).toContain('XINGCHEN_PASSWORD');
  });

  it('names the cause of fatal errors', () => {
    const error = errorFor(ruleFor({ status: 519, code: 4008 }), {
      operation: 'token',
      status: 519,
      code: 4008,
    });
    expect(error.message).toContain('XINGCHEN_CLIENT_SECRET is probably wrong');
    const skew = errorFor(ruleFor({ status: 519, code: 4006 }), {
      operation: 'token',
      status: 519,
      code: 4006,
    });
    expect(skew.message).toContain('clock');
  });

  it('treats a save without an answer as ambiguous, a look-up as merely retriable', () => {
    const save = transportError('sal_order_save', {
      kind: 'timeout',
      sent: true,
      message: 'no answer within 50 ms',
    });
    expect(save.error).toBeInstanceOf(XingchenAmbiguousError);
    expect(save.error.reason).toBe('ambiguous_timeout');
    expect(save.outcome).toBe('timeout');
    const unsent = transportError('sal_order_save', {
      kind: 'network',
      sent: false,
      message: 'ECONNREFUSED',
    });
    expect(unsent.error).not.toBeInstanceOf(XingchenAmbiguousError);
    expect(unsent.error.reason).toBe('network_error');
    const lookup = transportError('customer_detail', { kind: 'timeout', sent: true, message: 'x' });
    expect(lookup.error).not.toBeInstanceOf(XingchenAmbiguousError);
    expect(lookup.error).toBeInstanceOf(RetriableError);
  });
});
