import { createXingchenSandbox, type XingchenSandbox } from '../../../apps/xingchen-sandbox/src';
import { appSignatureOf, signRequest, toQueryString } from './independent-signer';

/** A new user signs requests with their own implementation of the documented algorithm. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

describe('xingchen sandbox accepts an independently signed request', () => {
  let sandbox: XingchenSandbox;
  let base: string;
  const tokenPath = '/jdyconnector/app_management/kingdee_auth_token';

  beforeAll(async () => {
    sandbox = createXingchenSandbox({
      clientId: '100001',
      clientSecret: 'demo-client-secret',
      appKey: 'abc',
      appSecret: 'abc123',
    });
    base = (await sandbox.listen(0)).url;
  });
  afterAll(() => sandbox.close());

  const get = async (path: string, query: Record<string, string>, headers: Record<string, string>) => {
    const response = await fetch(`${base}${path}?${toQueryString(query)}`, { headers });
    return { status: response.status, body: (await response.json()) as Loose };
  };
  const tokenQuery = () => ({ app_key: 'abc', app_signature: appSignatureOf('abc', 'abc123') });
  const sign = (
    method: string,
    path: string,
    query: Record<string, string>,
    extra: Partial<Parameters<typeof signRequest>[0]> = {},
  ) => signRequest({ method, path, query, clientId: '100001', clientSecret: 'demo-client-secret', ...extra });

  it('reproduces the documented vectors with the independent implementation', () => {
    expect(tokenQuery().app_signature).toBe(
      'ZDljMTI3NGIyNTE1MTRkYzlkNjc1MDNhYjUzMzgzNWMyY2M4YTdjMzdmNmM3YTVlNDkxMTkzNjdiOTFjNzUyZQ==',
    );
    const v1 = sign(
      'GET',
      tokenPath,
      { app_key: 'demoAppKey', app_signature: tokenQuery().app_signature },
      { nonce: '1234567890', timestamp: '1700000000000' },
    );
    expect(v1['X-Api-Signature']).toBe(
      'OTk3OGRhMjM3NDdkN2NlYzYyNDVlODc4NDNiMzllNzcxMzg5YTMwN2NhNzIxOTU1YTFlZGNjYzRjOTkyYWUwYQ==',
    );
    const v3 = sign(
      'GET',
      '/jdy/v2/scm/sal_order_detail',
      { number: 'XSDD-2024 001', a_b: 'x*y~z/中' },
      { nonce: '1234567890', timestamp: '1700000000000' },
    );
    expect(v3['X-Api-Signature']).toBe(
      'Mjc3N2UxNzllNzk5YzRmMTFlODIxNTdhOTljNGZlNmFhZmQ4MmM4YTllM2Q2MTllYjZmMzNjZGViZDk4YzM4Yw==',
    );
    const v2 = sign('POST', '/jdy/v2/scm/sal_order', {}, { nonce: '1234567890', timestamp: '1700000000000' });
    expect(v2['X-Api-Signature']).toBe(
      'OWI5NjkxYjYyNTBiOTM4ZDBhNzRiYzIzNWZhZDZjM2QzNWU0MTBiY2ZiN2Q3OWUxMDRlZjk1MTE0YmJkOTFlZA==',
    );
  });

  let appToken: string;

  it('gets a token, then calls a business API with it', async () => {
    const token = await get(tokenPath, tokenQuery(), sign('GET', tokenPath, tokenQuery()));
    expect(token.status).toBe(200);
    expect(token.body.errcode).toBe(0);
    expect(typeof token.body.data['app-token']).toBe('string');
    appToken = token.body.data['app-token'];
    const query = { number: 'CUST-TM001' };
    const customer = await get('/jdy/v2/bd/customer_detail', query, {
      ...sign('GET', '/jdy/v2/bd/customer_detail', query),
      'app-token': appToken,
      'X-GW-Router-Addr': sandbox.credentials.v2.domain,
    });
    expect(customer.status).toBe(200);
    expect(customer.body.data).toEqual({
      id: expect.any(String),
      number: 'CUST-TM001',
      name: '天猫平台客户',
      enable: '1',
    });
  });

  it('accepts query values with space, *, ~, / and CJK', async () => {
    const query = { number: 'NO SUCH*~/中' };
    const answer = await get('/jdy/v2/bd/store_detail', query, {
      ...sign('GET', '/jdy/v2/bd/store_detail', query),
      'app-token': appToken,
      'X-GW-Router-Addr': sandbox.credentials.v2.domain,
    });
    expect(answer).toEqual({ status: 200, body: { errcode: 1001, description: '数据不存在', data: null } });
  });

  it('rejects a tampered signature with HTTP 519 / 4008', async () => {
    const headers = sign('GET', tokenPath, tokenQuery());
    const signature = headers['X-Api-Signature'];
    headers['X-Api-Signature'] = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
    const answer = await get(tokenPath, tokenQuery(), headers);
    expect(answer.status).toBe(519);
    expect(answer.body.code).toBe(4008);
  });

  it('rejects a tampered query (signed for another app_key) with 519 / 4008', async () => {
    const headers = sign('GET', tokenPath, tokenQuery());
    const answer = await get(tokenPath, { ...tokenQuery(), app_key: 'abd' }, headers);
    expect(answer.status).toBe(519);
    expect(answer.body.code).toBe(4008);
  });

  it('rejects a signature made with another client secret (519 / 4008), an old timestamp (4006) and an unknown client (4003)', async () => {
    const wrongSecret = await get(
      tokenPath,
      tokenQuery(),
      sign('GET', tokenPath, tokenQuery(), { clientSecret: 'guess' }),
    );
    expect([wrongSecret.status, wrongSecret.body.code]).toEqual([519, 4008]);
    const old = await get(
      tokenPath,
      tokenQuery(),
      sign('GET', tokenPath, tokenQuery(), { timestamp: String(Date.now() - 6 * 60_000) }),
    );
    expect([old.status, old.body.code]).toEqual([519, 4006]);
    const stranger = await get(
      tokenPath,
      tokenQuery(),
      sign('GET', tokenPath, tokenQuery(), { clientId: '999999' }),
    );
    expect([stranger.status, stranger.body.code]).toEqual([519, 4003]);
  });
});
