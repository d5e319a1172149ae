import { FatalError, NonRetriableError, RetriableError } from '@app/contracts';
import {
  errorFor,
  ruleFor,
  transportError,
  XingchenAmbiguousError,
  XingchenBusinessError,
  XingchenTokenRejectedError,
} from './xingchen-errors';

const classify = (answer: { status: number; code?: number; errcode?: number }) => {
  const rule = ruleFor(answer);
  if (rule.kind === 'not_found') return ['not_found', rule.reason] as const;
  const error = errorFor(rule, {
    operation: 'sal_order_save',
    status: answer.status,
    code: answer.code ?? answer.errcode,
  });
  const kind =
    error instanceof XingchenTokenRejectedError
      ? 'token'
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
  it.each([
    [{ status: 519, code: 4003 }, 'fatal', 'client_id_invalid'],
    [{ status: 519, code: 4005 }, 'fatal', 'client_credentials_invalid'],
    [{ status: 519, code: 4006 }, 'fatal', 'clock_skew'],
    [{ status: 519, code: 4007 }, 'fatal', 'sign_headers_invalid'],
    [{ status: 519, code: 4008 }, 'fatal', 'signature_invalid'],
    [{ status: 519, code: 4009 }, 'token', 'token_missing'],
    [{ status: 519, code: 4010 }, 'token', 'token_invalid'],
    [{ status: 519, code: 4011 }, 'token', 'token_expired'],
    [{ status: 519, code: 4012 }, 'fatal', 'no_permission'],
    [{ status: 519, code: 5000 }, 'retriable', 'gateway_internal_error'],
    [{ status: 519, code: 5003 }, 'retriable', 'api_unavailable'],
    [{ status: 519, code: 5004 }, 'retriable', 'api_timeout'],
    [{ status: 519, code: 5007 }, 'retriable', 'overloaded'],
    [{ status: 519, code: 4999 }, 'retriable', 'gateway_error'],
    [{ status: 429 }, 'retriable', 'rate_limited'],
    [{ status: 502 }, 'retriable', 'server_error'],
    [{ status: 404 }, 'fatal', 'unexpected_http_status'],
    [{ status: 400 }, 'non_retriable', 'bad_request'],
    [{ status: 200, errcode: 1001 }, 'not_found', 'not_found'],
    [{ status: 200, errcode: 2001 }, 'non_retriable', 'invalid_field'],
    [{ status: 200, errcode: 2002 }, 'non_retriable', 'customer_not_found'],
    [{ status: 200, errcode: 2003 }, 'non_retriable', 'material_not_found'],
    [{ status: 200, errcode: 2004 }, 'non_retriable', 'store_not_found'],
    [{ status: 200, errcode: 2005 }, 'non_retriable', 'unit_not_allowed'],
    [{ status: 200, errcode: 2006 }, 'non_retriable', 'bill_exists'],
    [{ status: 200, errcode: 2007 }, 'non_retriable', 'order_not_found'],
    [{ status: 200, errcode: 2008 }, 'non_retriable', 'order_audited'],
    [{ status: 200, errcode: 1030002006 }, 'fatal', 'app_secret_invalid'],
    [{ status: 200, errcode: 7777 }, 'non_retriable', 'business_error'],
  ])('%j → %s %s', (answer, kind, reason) => {
    expect(classify(answer)).toEqual([kind, reason]);
  });

  it('marks the throttling answers so the bucket slows down', () => {
    expect(ruleFor({ status: 429 }).throttle).toBe(true);
    expect(ruleFor({ status: 519, code: 5007 }).throttle).toBe(true);
    expect(ruleFor({ status: 519, code: 5003 }).throttle).toBeUndefined();
  });

  it('gives business rejections their errcode', () => {
    const error = errorFor(ruleFor({ status: 200, errcode: 2008 }), {
      operation: 'sal_order_save',
      status: 200,
      code: 2008,
      detail: '已审核',
    });
    expect(error).toBeInstanceOf(XingchenBusinessError);
    expect((error as XingchenBusinessError).errcode).toBe(2008);
    expect(error.code).toBe('2008');
    expect(error.message).toBe('xingchen sal_order_save rejected (2008 order_audited): 已审核');
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
