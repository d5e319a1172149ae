import { createXingchenSandbox, type XingchenSandbox } from '../../../apps/xingchen-sandbox/src';
import { appSignatureOf, signRequest, toQueryString } from './independent-signer';

/** The gateway's token rules, router address and quotas. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

describe('xingchen sandbox: tokens, router address and quotas', () => {
  let sandbox: XingchenSandbox;
  let offsetMs = 0;
  const tokenPath = '/jdyconnector/app_management/kingdee_auth_token';

  beforeEach(async () => {
    offsetMs = 0;
    sandbox = createXingchenSandbox({
      now: () => Date.now() + offsetMs,
      faults: { tokenTtlSeconds: 60, rateLimitPerMinute: 0, tokenRateLimitPerMinute: 0 },
    });
    await sandbox.listen(0);
  });
  afterEach(() => sandbox.close());

  const call = async (path: string, query: Record<string, string>, extra: Record<string, string> = {}) => {
    const { clientId, clientSecret } = sandbox.credentials.v2;
    const response = await fetch(`${sandbox.url}${path}?${toQueryString(query)}`, {
      headers: { ...signRequest({ method: 'GET', path, query, clientId, clientSecret }), ...extra },
    });
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: (await response.json()) as Loose,
    };
  };
  const token = async () => {
    const { appKey, appSecret } = sandbox.credentials.v2;
    const answer = await call(tokenPath, {
      app_key: appKey,
      app_signature: appSignatureOf(appKey, appSecret),
    });
    expect(answer.status).toBe(200);
    return answer.body.data as { 'app-token': string; expires: number };
  };
  const lookup = (extra: Record<string, string>) =>
    call('/jdy/v2/bd/customer_detail', { number: 'CUST-JD001' }, extra);

  it('issues tokens with the configured lifetime', async () => {
    const before = Date.now();
    const issued = await token();
    expect(issued.expires).toBeGreaterThanOrEqual(before + 60_000);
    expect(issued.expires).toBeLessThanOrEqual(Date.now() + 60_000);
    expect(sandbox.stats().tokensIssued).toBe(1);
  });

  it('answers 4009 without a token, 4010 for an unknown one, 4011 once expired', async () => {
    const { domain } = sandbox.credentials.v2;
    expect(await lookup({ 'X-GW-Router-Addr': domain })).toMatchObject({ status: 519, body: { code: 4009 } });
    expect(await lookup({ 'app-token': 'forged', 'X-GW-Router-Addr': domain })).toMatchObject({
      status: 519,
      body: { code: 4010 },
    });
    const issued = await token();
    expect(await lookup({ 'app-token': issued['app-token'], 'X-GW-Router-Addr': domain })).toMatchObject({
      status: 200,
      body: { errcode: 0 },
    });
    offsetMs = 61_000;
    expect(await lookup({ 'app-token': issued['app-token'], 'X-GW-Router-Addr': domain })).toMatchObject({
      status: 519,
      body: { code: 4011 },
    });
  });

  it('requires the tenant domain in X-GW-Router-Addr (4012)', async () => {
    const issued = await token();
    expect(
      await lookup({ 'app-token': issued['app-token'], 'X-GW-Router-Addr': 'other.jdy.com' }),
    ).toMatchObject({
      status: 519,
      body: { code: 4012 },
    });
    expect(await lookup({ 'app-token': issued['app-token'] })).toMatchObject({
      status: 519,
      body: { code: 4012 },
    });
  });

  it('rejects a wrong app secret with errcode 1030002006', async () => {
    const { appKey } = sandbox.credentials.v2;
    const answer = await call(tokenPath, {
      app_key: appKey,
      app_signature: appSignatureOf(appKey, 'rotated'),
    });
    expect(answer).toMatchObject({
      status: 200,
      body: { errcode: 1030002006, description: '授权密钥校验失败' },
    });
  });

  it('answers 429 with Retry-After beyond the account-set quota', async () => {
    const issued = await token();
    sandbox.setFaults({ rateLimitPerMinute: 60 }); // one call per second, no burst beyond it
    const headers = { 'app-token': issued['app-token'], 'X-GW-Router-Addr': sandbox.credentials.v2.domain };
    expect((await lookup(headers)).status).toBe(200);
    const throttled = await lookup(headers);
    expect(throttled).toMatchObject({ status: 429, retryAfter: '1', body: { code: 429 } });
    expect(sandbox.stats().calls['v2.customer_detail']).toEqual({ ok: 1, http_429: 1 });
    expect(sandbox.stats().throttled).toBe(1);
  });

  it('throttles the token endpoint on its own', async () => {
    sandbox.setFaults({ tokenRateLimitPerMinute: 2 });
    await token();
    const { appKey, appSecret } = sandbox.credentials.v2;
    const second = await call(tokenPath, {
      app_key: appKey,
      app_signature: appSignatureOf(appKey, appSecret),
    });
    expect(second.status).toBe(429);
    expect(Number(second.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(sandbox.stats().calls['v2.token']).toEqual({ ok: 1, http_429: 1 });
  });
});
