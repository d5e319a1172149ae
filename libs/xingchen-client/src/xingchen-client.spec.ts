import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { FatalError, RetriableError } from '@app/contracts';
import { createLogger, createMetrics, type Metrics } from '@app/observability';
import { TransportFailureError, type HttpRequest, type HttpResponse } from './http-transport';
import { draftOf, v1WireLine, v2WireLine } from './draft.fixture';
import { XingchenClient } from './xingchen-client';
import { XingchenAmbiguousError, XingchenBusinessError, XingchenTokenRejectedError } from './xingchen-errors';
import { appSignature, gatewaySignature } from './xingchen-signer';
import { type XingchenClientConfig, type XingchenFamilyConfig } from './xingchen.types';

// a fake HttpTransport and the configs of both families
const baseConfig = (family: XingchenFamilyConfig): XingchenClientConfig => ({
  baseUrl: 'http://xingchen.test/',
  clientId: '100001',
  clientSecret: 'client-secret-value',
  family,
  rateLimitPerMinute: 60_000,
  maxConcurrency: 4,
  requestTimeoutMs: 1000,
  tokenRefreshMarginMs: 60_000,
});

const json = (body: unknown, status = 200, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers,
  body: JSON.stringify(body),
});

type Route = (request: HttpRequest, url: URL) => HttpResponse | Promise<HttpResponse>;

function harness(config: XingchenClientConfig, route: Route) {
  const requests: HttpRequest[] = [];
  const metrics: Metrics = createMetrics(new Registry());
  const lines: string[] = [];
  const logger = createLogger(
    'test',
    'debug',
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    }),
  );
  const transport = async (request: HttpRequest) => {
    requests.push(request);
    return route(request, new URL(request.url));
  };
  const client = new XingchenClient(config, metrics, { transport, logger });
  const counter = async (operation: string, outcome: string) =>
    (await metrics.xingchenRequests.get()).values.find(
      (v) => v.labels.operation === operation && v.labels.outcome === outcome,
    )?.value ?? 0;
  return {
    client,
    requests,
    metrics,
    lines,
    counter,
    calls: (path: string) => requests.filter((r) => new URL(r.url).pathname === path),
  };
}

const draft = draftOf;

const v1Config = baseConfig({ api: 'v1', username: 'demo-user', password: 'demo-password' });
const v2Static = baseConfig({
  api: 'v2',
  credentials: {
    kind: 'static',
    appKey: 'demoAppKey',
    appSecret: 'app-secret-value',
    domain: 'tenant.example',
  },
});
const v2Pushed = baseConfig({ api: 'v2', credentials: { kind: 'authorize', outerInstanceId: 'oi-1' } });

const V1 = {
  login: '/auth/user/access_token',
  accountGroup: '/jdy/sys/accountGroup',
  save: '/jdy/sal/sal_order_save',
  list: '/jdy/sal/sal_order_list',
  detail: '/jdy/sal/sal_order_detail',
};
const V2 = {
  token: '/jdyconnector/app_management/kingdee_auth_token',
  authorize: '/jdyconnector/app_management/push_app_authorize',
  order: '/jdy/v2/scm/sal_order',
  detail: '/jdy/v2/scm/sal_order_detail',
};

const loginAnswer = (token: string, expiresIn = 7200) =>
  json({ errcode: 0, description: '', data: { access_token: token, expires_in: expiresIn, uid: 7 } });
const groupsAnswer = (...ids: string[]) =>
  json({
    success: true,
    errorCode: '',
    message: '',
    data: [
      {
        serviceId: 'svc',
        accountGroups: ids.map((id) => ({
          accountName: `账套 ${id}`,
          accountId: id,
          enable: '1',
          groupId: `g-${id}`,
          groupName: `group-${id}`,
        })),
      },
    ],
  });
/** A V1 business answer: success with `data`. */
const v1Data = (data: unknown) => json({ success: true, data });
const v1Saved = (id: string) =>
  json({
    success: true,
    message: '',
    errorCode: '',
    data: { successPkIds: [id], success: true, errorInfo: [], message: '', errorLevel: '' },
  });
const v1InnerRefusal = (msg: string) =>
  json({
    success: true,
    message: '',
    errorCode: '',
    data: {
      successPkIds: [],
      success: false,
      errorInfo: [{ id: '', msg }],
      message: msg,
      errorLevel: 'error',
    },
  });

/** A V1 tenant: login, one account set (or the given ones), then `business`. */
const v1Route =
  (business: Route, options: { groups?: string[]; tokens?: () => string } = {}): Route =>
  (request, url) => {
    if (url.pathname === V1.login) return loginAnswer(options.tokens ? options.tokens() : 'at-1');
    if (url.pathname === V1.accountGroup) return groupsAnswer(...(options.groups ?? ['acc-1']));
    return business(request, url);
  };

const tokenAnswer = (token: string, expires = Date.now() + 86_400_000) =>
  json({ errcode: 0, description: '成功', data: { 'app-token': token, expires } });
const v2Saved = (id: string) =>
  json({ errcode: 0, description: 'success', data: { ids: [id], id_number_map: { [id]: 'B1' } } });
const v2Route =
  (business: Route): Route =>
  (request, url) =>
    url.pathname === V2.token ? tokenAnswer('tok-1') : business(request, url);

/** What a save of `draft()` fails with. */
const saveError = (h: { client: XingchenClient }) =>
  h.client.saveSalesOrder(draft()).catch((e: unknown) => e);

/** The FatalError a save of `draft()` fails with (anything else fails the test). */
async function fatalOnSave(h: { client: XingchenClient }): Promise<FatalError> {
  const error = await saveError(h);
  expect(error).toBeInstanceOf(FatalError);
  return error as FatalError;
}

/** A client of the V1 tenant of `v1Route` (login, account set, then `business`). */
const v1Harness = (business: Route, options?: Parameters<typeof v1Route>[1]) =>
  harness(v1Config, v1Route(business, options));
/** A client of the static V2 tenant (token, then `business`). */
const v2Harness = (business: Route) => harness(v2Static, v2Route(business));

describe('XingchenClient, V1 (legacy 精斗云/星辰 API)', () => {
  it('logs in, selects the account set, then saves with access_token, accountId and groupName', async () => {
    const h = v1Harness(() => v1Saved('9001'));
    expect(h.client.family).toBe('v1');
    await expect(h.client.saveSalesOrder(draft())).resolves.toEqual({ id: '9001' });
    expect(h.requests.map((r) => [r.method, new URL(r.url).pathname])).toEqual([
      ['GET', V1.login],
      ['POST', V1.accountGroup],
      ['POST', V1.save],
    ]);
    const login = new URL(h.requests[0].url);
    expect(Object.fromEntries(login.searchParams)).toEqual({
      client_id: '100001',
      client_secret: 'client-secret-value',
      username: 'demo-user',
      password: 'demo-password',
    });
    expect(new URL(h.requests[1].url).searchParams.get('access_token')).toBe('at-1');
    const save = h.requests[2];
    expect(new URL(save.url).search).toBe('?access_token=at-1');
    expect(save.headers.accountId).toBe('acc-1');
    expect(save.headers.groupName).toBe('group-acc-1');
    expect(save.headers['Content-Type']).toBe('application/json; charset=utf-8');
    expect(save.headers['X-Api-Signature']).toBeUndefined();
    expect(save.headers['app-token']).toBeUndefined();
    expect(JSON.parse(save.body!)).toEqual({
      billno: 'B1',
      billdate: '2024-01-02',
      customerid_id: 'c1',
      custom_field42obgp309axx5_number: 'P-01',
      material_entity: [v1WireLine()],
    });
    // steady state: one call per save
    await h.client.saveSalesOrder(draft({ billNo: 'B2' }));
    await h.client.saveSalesOrder(draft({ billNo: 'B3' }));
    expect(h.requests).toHaveLength(5);
    expect(await h.counter('sal_order_save', 'success')).toBe(3);
    expect(await h.counter('login', 'success')).toBe(1);
    for (const secret of ['client-secret-value', 'demo-password'])
      expect(h.lines.join('')).not.toContain(secret);
  });

  it('shares one login between concurrent first callers', async () => {
    const h = v1Harness(() => v1Saved('1'));
    await Promise.all(Array.from({ length: 8 }, () => h.client.saveSalesOrder(draft())));
    expect(h.calls(V1.login)).toHaveLength(1);
    expect(h.calls(V1.accountGroup)).toHaveLength(1);
    expect(h.calls(V1.save)).toHaveLength(8);
  });

  it('records an inner data.success:false as a refusal, not as saved', async () => {
    const h = v1Harness(() => v1InnerRefusal('商品不存在'));
    const error = await saveError(h);
    expect(error).toBeInstanceOf(XingchenBusinessError);
    expect((error as XingchenBusinessError).vendorText).toBe('商品不存在');
    expect((error as XingchenBusinessError).reason).toBe('business_error');
    expect(await h.counter('sal_order_save', 'business_error')).toBe(1);
    expect(await h.counter('sal_order_save', 'success')).toBe(0);
  });

  it('records an outer success:false as a refusal with its errorCode as data', async () => {
    const h = v1Harness(() =>
      json({ success: false, errorCode: '2001', message: '参数错误', description_cn: '参数错误' }),
    );
    const error = await saveError(h);
    expect(error).toBeInstanceOf(XingchenBusinessError);
    expect((error as XingchenBusinessError).errcode).toBe('2001');
    expect((error as XingchenBusinessError).message).toContain('参数错误');
  });

  it('treats a success answer without successPkIds as ambiguous', async () => {
    const h = v1Harness(() => v1Data({ success: true, successPkIds: [] }));
    await expect(h.client.saveSalesOrder(draft())).rejects.toBeInstanceOf(XingchenAmbiguousError);
  });

  it('logs in again exactly once on an expired token and repeats the call once', async () => {
    let logins = 0;
    const h = v1Harness(
      (request) =>
        new URL(request.url).searchParams.get('access_token') === 'at-1'
          ? json({ code: 4011, description_cn: 'token过期' }, 519)
          : v1Saved('5'),
      { tokens: () => `at-${++logins}` },
    );
    await Promise.all([h.client.saveSalesOrder(draft()), h.client.saveSalesOrder(draft())]);
    expect(logins).toBe(2);
    expect(h.calls(V1.accountGroup)).toHaveLength(1);
    expect(h.calls(V1.save).map((r) => new URL(r.url).searchParams.get('access_token'))).toEqual([
      'at-1',
      'at-1',
      'at-2',
      'at-2',
    ]);
  });

  it('re-logs in on HTTP 401 too, and a second refusal is an error, not a loop', async () => {
    let logins = 0;
    const h = v1Harness(() => json({ message: 'unauthorized' }, 401), { tokens: () => `at-${++logins}` });
    const error = await saveError(h);
    expect(error).toBeInstanceOf(XingchenTokenRejectedError);
    expect(logins).toBe(2);
    expect(h.calls(V1.save)).toHaveLength(2);
  });

  it('holds a refused login for every caller (no login storm) and names the credentials', async () => {
    const h = harness(v1Config, (_r, url) =>
      url.pathname === V1.login ? json({ errcode: 1000, description: '用户名或密码错误' }) : v1Saved('1'),
    );
    const errors = await Promise.all(
      Array.from({ length: 5 }, () => h.client.saveSalesOrder(draft()).catch((e: unknown) => e)),
    );
    await h.client.findCustomer('C1').catch(() => undefined);
    for (const error of errors) {
      expect(error).toBeInstanceOf(FatalError);
      expect((error as FatalError).reason).toBe('login_rejected');
      expect((error as FatalError).message).toContain('XINGCHEN_PASSWORD');
    }
    expect(h.calls(V1.login)).toHaveLength(1);
    expect(h.calls(V1.save)).toHaveLength(0);
  });

  it('needs XINGCHEN_ACCOUNT_ID when the user has several account sets', async () => {
    const h = v1Harness(() => v1Saved('1'), { groups: ['acc-1', 'acc-2'] });
    const error = await fatalOnSave(h);
    expect(error.message).toContain('XINGCHEN_ACCOUNT_ID');
    expect(error.message).toContain('acc-1, acc-2');
    expect(h.calls(V1.save)).toHaveLength(0);

    const chosen = harness(
      { ...v1Config, family: { api: 'v1', username: 'u', password: 'p', accountId: 'acc-2' } },
      v1Route(() => v1Saved('1'), { groups: ['acc-1', 'acc-2'] }),
    );
    await chosen.client.saveSalesOrder(draft());
    expect(chosen.calls(V1.save)[0].headers.accountId).toBe('acc-2');
    expect(chosen.calls(V1.save)[0].headers.groupName).toBe('group-acc-2');

    const unknown = harness(
      { ...v1Config, family: { api: 'v1', username: 'u', password: 'p', accountId: 'acc-9' } },
      v1Route(() => v1Saved('1'), { groups: ['acc-1'] }),
    );
    const unknownError = await unknown.client.saveSalesOrder(draft()).catch((e: unknown) => e);
    expect(unknownError).toBeInstanceOf(FatalError);
    expect((unknownError as FatalError).message).toContain('XINGCHEN_ACCOUNT_ID "acc-9"');
  });

  it('maps 4012 to a FatalError naming the account set and the user', async () => {
    const h = v1Harness(() => json({ code: 4012, description_cn: '无权限' }, 519));
    const error = await fatalOnSave(h);
    expect(error.message).toContain('XINGCHEN_ACCOUNT_ID');
    expect(error.message).toContain('XINGCHEN_USERNAME');
  });

  it('finds a bill by search + exact billno, and reads the detail by id', async () => {
    const h = v1Harness((request, url) => {
      const body = JSON.parse(request.body ?? '{}') as Record<string, unknown>;
      if (url.pathname === V1.list)
        return v1Data({
          rows: [
            { id: '8', billno: 'B10', billstatus: 'Z' },
            { id: '9', billno: 'B1', billstatus: 'C' },
          ],
          count: 2,
          totalpage: 1,
        });
      if (body.id === '9')
        return v1Data({
          id: '9',
          billno: 'B1',
          billdate: '2024-01-02',
          billstatus: 'C',
          customerid_id: 'c1',
          material_entity: [
            {
              id: 'e1',
              materialid_id: 'm1',
              stockid_id: 's1',
              qty: 2,
              unit_id: 'u1',
              taxprice: '10.5',
              is_free: false,
              cess: 13,
            },
          ],
        });
      return json({ success: false, errorCode: '', message: '单据不存在' });
    });
    await expect(h.client.findSalesOrderByBillNo('B1')).resolves.toEqual({
      id: '9',
      billNo: 'B1',
      audited: true,
    });
    await expect(h.client.findSalesOrderByBillNo('B2')).resolves.toBeNull();
    expect(JSON.parse(h.calls(V1.list)[0].body!)).toEqual({ search: 'B1', page: 1, pagesize: 100 });
    const order = await h.client.getSalesOrder('9');
    expect(order?.audited).toBe(true);
    expect(order?.lines[0]).toMatchObject({ entryId: 'e1', qty: '2', taxPercent: '13' });
    expect(JSON.parse(h.calls(V1.detail)[0].body!)).toEqual({ id: '9' });
    await expect(h.client.getSalesOrder('404')).resolves.toBeNull();
    await expect(h.client.listSalesOrders(1, 50)).resolves.toEqual({
      rows: [
        { id: '8', billNo: 'B10', audited: false },
        { id: '9', billNo: 'B1', audited: true },
      ],
      totalPages: 1,
      count: 2,
    });
    expect(JSON.parse(h.calls(V1.list)[2].body!)).toEqual({ page: 1, pagesize: 50 });
  });

  it('finds master data by list + exact number, material units from material_detail', async () => {
    const h = v1Harness((request, url) => {
      const body = JSON.parse(request.body ?? '{}') as Record<string, string>;
      const rows = [
        { id: `${url.pathname}-10`, number: `${body.search}0`, name: 'longer', enable: '1' },
        ...(body.search === 'NOPE' ? [] : [{ id: 'id-1', number: body.search, name: '名', enable: '0' }]),
      ];
      if (url.pathname === '/jdy/basedata/material_detail')
        return v1Data({
          id: 'id-1',
          number: 'SKU',
          name: '保温杯',
          baseunitid_id: 'u1',
          fixunit1_id: 'u2',
          fixunit2_id: '',
        });
      return v1Data({ rows, count: rows.length, totalpage: 1 });
    });
    await expect(h.client.findCustomer('C1')).resolves.toEqual({
      id: 'id-1',
      number: 'C1',
      name: '名',
      enabled: false,
    });
    await expect(h.client.findStore('NOPE')).resolves.toBeNull();
    await expect(h.client.findMaterial('SKU')).resolves.toEqual({
      id: 'id-1',
      number: 'SKU',
      name: '保温杯',
      baseUnitId: 'u1',
      unitIds: ['u1', 'u2'],
      enabled: false,
    });
    expect(JSON.parse(h.calls('/jdy/basedata/customer_list')[0].body!)).toEqual({
      search: 'C1',
      page: 1,
      pagesize: 100,
    });
    expect(JSON.parse(h.calls('/jdy/basedata/material_detail')[0].body!)).toEqual({ id: 'id-1' });
    expect(h.calls('/jdy/basedata/store_list')).toHaveLength(1);
  });

  it('maps 5001 (a V2 path on a V1 tenant, or the reverse) to a FatalError naming XINGCHEN_API', async () => {
    const h = v1Harness(() => json({ code: 5001, description_cn: 'API不存在', errcode: 5001 }, 519));
    const error = await fatalOnSave(h);
    expect(error.message).toContain('XINGCHEN_API');
    expect(error.message).toContain('XINGCHEN_BASE_URL');
  });
});

describe('XingchenClient, V2 (open platform)', () => {
  it('signs every request, sends the token and router headers and the V2 body', async () => {
    const h = v2Harness(() => v2Saved('9001'));
    expect(h.client.family).toBe('v2');
    await expect(h.client.saveSalesOrder(draft())).resolves.toEqual({ id: '9001' });
    const [tokenCall, saveCall] = h.requests;
    const tokenUrl = new URL(tokenCall.url);
    expect(tokenUrl.searchParams.get('app_key')).toBe('demoAppKey');
    expect(tokenCall.headers['app-token']).toBeUndefined();
    const expected = gatewaySignature(
      {
        method: 'GET',
        path: tokenUrl.pathname,
        query: Object.fromEntries(tokenUrl.searchParams),
        nonce: tokenCall.headers['X-Api-Nonce'],
        timestamp: tokenCall.headers['X-Api-TimeStamp'],
      },
      'client-secret-value',
    );
    expect(tokenCall.headers['X-Api-Signature']).toBe(expected);
    expect(saveCall.method).toBe('POST');
    expect(saveCall.url).toBe('http://xingchen.test/jdy/v2/scm/sal_order');
    expect(saveCall.headers['app-token']).toBe('tok-1');
    expect(saveCall.headers['X-GW-Router-Addr']).toBe('tenant.example');
    const body = JSON.parse(saveCall.body!) as Record<string, unknown>;
    expect(body).toEqual({
      bill_no: 'B1',
      bill_date: '2024-01-02',
      customer_id: 'c1',
      custom_field: { custom_field42obgp309axx5_number: 'P-01' },
      material_entity: [v2WireLine()],
    });
    for (const v1Name of ['billno', 'billdate', 'customerid_id', 'custom_field42obgp309axx5_number'])
      expect(body).not.toHaveProperty(v1Name);
    expect(await h.counter('sal_order_save', 'success')).toBe(1);
    expect(await h.counter('token', 'success')).toBe(1);
  });

  it('shares one token between concurrent calls and never fetches one per request', async () => {
    const h = v2Harness(() => v2Saved('1'));
    await Promise.all(Array.from({ length: 12 }, () => h.client.saveSalesOrder(draft())));
    await h.client.saveSalesOrder(draft());
    expect(h.calls(V2.token)).toHaveLength(1);
    expect(h.calls(V2.order)).toHaveLength(13);
  });

  it('refreshes the token once on 4011 and repeats the call', async () => {
    let tokens = 0;
    const h = harness(v2Static, (request, url) => {
      if (url.pathname === V2.token) return tokenAnswer(`t${++tokens}`);
      if (request.headers['app-token'] === 't1')
        return json({ code: 4011, description_cn: 'token过期' }, 519);
      return v2Saved('5');
    });
    await Promise.all([
      h.client.saveSalesOrder(draft()),
      h.client.saveSalesOrder(draft()),
      h.client.saveSalesOrder(draft()),
    ]);
    expect(tokens).toBe(2);
    expect(
      h
        .calls(V2.order)
        .map((r) => r.headers['app-token'])
        .sort(),
    ).toEqual(['t1', 't1', 't1', 't2', 't2', 't2']);
    expect(await h.counter('sal_order_save', 'auth_error')).toBe(3);
  });

  it('gives up after one refresh when the new token is refused too', async () => {
    let tokens = 0;
    const h = harness(v2Static, (_r, url) =>
      url.pathname === V2.token
        ? tokenAnswer(`t${++tokens}`)
        : json({ code: 4010, description_cn: 'token无效' }, 519),
    );
    const error = await saveError(h);
    expect(error).toBeInstanceOf(RetriableError);
    expect((error as RetriableError).reason).toBe('token_invalid');
    expect(tokens).toBe(2);
    expect(h.calls(V2.order)).toHaveLength(2);
  });

  it('static credentials: a refused app_signature (1030002006) is a FatalError naming XINGCHEN_APP_SECRET', async () => {
    const h = harness(v2Static, () => json({ errcode: 1030002006, description: '授权密钥校验失败' }));
    const error = await h.client.findCustomer('C1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FatalError);
    expect((error as FatalError).message).toContain('XINGCHEN_APP_SECRET');
    expect(h.requests).toHaveLength(1);
  });

  const authorization = (secret: string) =>
    json({
      errcode: 0,
      description: '',
      data: [
        { outer_instance_id: 'other', app_key: 'k0', app_secret: 's0', domain: 'other.example' },
        {
          outer_instance_id: 'oi-1',
          app_key: 'pushedKey',
          app_secret: secret,
          domain: 'pushed.example',
          status: 1,
        },
      ],
    });

  it('pushed authorization: fetches app_key/app_secret/domain itself, and once more on 1030002006', async () => {
    let pushes = 0;
    const h = harness(v2Pushed, (_r, url) => {
      if (url.pathname === V2.authorize) return authorization(++pushes === 1 ? 'old-secret' : 'new-secret');
      if (url.pathname === V2.token)
        return url.searchParams.get('app_signature') === appSignature('pushedKey', 'new-secret')
          ? tokenAnswer('tok-new')
          : json({ errcode: 1030002006, description: '授权密钥校验失败' });
      return v2Saved('77');
    });
    await expect(h.client.saveSalesOrder(draft())).resolves.toEqual({ id: '77' });
    expect(pushes).toBe(2);
    const authorize = h.calls(V2.authorize)[0];
    expect(authorize.method).toBe('POST');
    expect(new URL(authorize.url).searchParams.get('outerInstanceId')).toBe('oi-1');
    expect(authorize.headers['X-Api-Signature']).toBeDefined();
    expect(authorize.headers['app-token']).toBeUndefined();
    expect(h.calls(V2.token)).toHaveLength(2);
    const save = h.calls(V2.order)[0];
    expect(save.headers['app-token']).toBe('tok-new');
    expect(save.headers['X-GW-Router-Addr']).toBe('pushed.example');
    expect(h.lines.join('')).not.toContain('new-secret');
  });

  it('pushed authorization: a second 1030002006 is a FatalError naming the variables', async () => {
    const h = harness(v2Pushed, (_r, url) =>
      url.pathname === V2.authorize
        ? authorization('s')
        : json({ errcode: 1030002006, description: '授权密钥校验失败' }),
    );
    const error = await fatalOnSave(h);
    expect(error.message).toContain('XINGCHEN_APP_SECRET');
    expect(error.message).toContain('XINGCHEN_OUTER_INSTANCE_ID');
    expect(h.calls(V2.authorize)).toHaveLength(2);
    expect(h.calls(V2.token)).toHaveLength(2);
    expect(h.calls(V2.order)).toHaveLength(0);
  });

  it('maps 5001 to a FatalError naming XINGCHEN_API and XINGCHEN_BASE_URL', async () => {
    const h = v2Harness(() => json({ code: 5001, description_cn: 'API不存在' }, 519));
    const error = await fatalOnSave(h);
    expect(error.reason).toBe('api_not_found');
    expect(error.message).toContain('XINGCHEN_API');
    expect(error.message).toContain('XINGCHEN_BASE_URL');
  });

  it('maps a wrong client secret (519/4008) to a FatalError and never logs secrets', async () => {
    const h = harness(v2Static, () => json({ code: 4008, description_cn: '签名无效' }, 519));
    const error = await h.client.findCustomer('C1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FatalError);
    expect((error as FatalError).reason).toBe('signature_invalid');
    expect((error as FatalError).message).toContain('XINGCHEN_CLIENT_SECRET is probably wrong');
    const log = h.lines.join('');
    expect(log).toContain('signature_invalid');
    for (const secret of ['client-secret-value', 'app-secret-value']) expect(log).not.toContain(secret);
  });

  it('maps any business refusal to one XingchenBusinessError with the code as data', async () => {
    const h = v2Harness(() => json({ errcode: 2006, description: '单据编号已存在', data: null }));
    const error = await saveError(h);
    expect(error).toBeInstanceOf(XingchenBusinessError);
    expect((error as XingchenBusinessError).errcode).toBe(2006);
    expect((error as XingchenBusinessError).reason).toBe('business_error');
    expect(await h.counter('sal_order_save', 'business_error')).toBe(1);
  });

  it('master data: detail by number; a refusal is confirmed by the list + exact number, never by its code', async () => {
    const h = v2Harness((_r, url) => {
      const number = url.searchParams.get('number');
      const id = url.searchParams.get('id');
      if (url.pathname === '/jdy/v2/bd/material_detail' && (number === 'SKU-001' || id === 'm2'))
        return json({
          errcode: 0,
          data: {
            id: id ?? 'm1',
            number: id ? 'SKU-2' : 'SKU-001',
            name: '保温杯',
            base_unit_id: 'u1',
            fix_unit_id1: 'u2',
            fix_unit_id2: '',
            enable: '1',
          },
        });
      if (url.pathname === '/jdy/v2/bd/material')
        return json({
          errcode: 0,
          data: {
            count: 2,
            total_page: 1,
            rows: [
              { id: 'm9', number: 'SKU-20', name: 'x' },
              ...(url.searchParams.get('search') === 'SKU-2'
                ? [{ id: 'm2', number: 'SKU-2', name: 'y' }]
                : []),
            ],
          },
        });
      return json({ errcode: 9999, description: '未知错误' });
    });
    await expect(h.client.findMaterial('SKU-001')).resolves.toEqual({
      id: 'm1',
      number: 'SKU-001',
      name: '保温杯',
      baseUnitId: 'u1',
      unitIds: ['u1', 'u2'],
      enabled: true,
    });
    expect(h.calls('/jdy/v2/bd/material')).toHaveLength(0);
    await expect(h.client.findMaterial('NOPE')).resolves.toBeNull();
    const list = new URL(h.calls('/jdy/v2/bd/material')[0].url);
    expect(Object.fromEntries(list.searchParams)).toEqual({ search: 'NOPE', page: '1', page_size: '100' });
    await expect(h.client.findMaterial('SKU-2')).resolves.toMatchObject({ id: 'm2', number: 'SKU-2' });
    expect(new URL(h.calls('/jdy/v2/bd/material_detail').at(-1)!.url).searchParams.get('id')).toBe('m2');
  });

  it('finds a sales order by exact bill number and lists page by page', async () => {
    const h = v2Harness(() =>
      json({
        errcode: 0,
        data: {
          count: '2',
          page: 1,
          page_size: 20,
          total_page: '3',
          rows: [
            { id: '8', bill_no: 'B10', bill_status: 'Z' },
            { id: '9', bill_no: 'B1', bill_status: 'C' },
          ],
        },
      }),
    );
    await expect(h.client.findSalesOrderByBillNo('B1')).resolves.toEqual({
      id: '9',
      billNo: 'B1',
      audited: true,
    });
    await expect(h.client.findSalesOrderByBillNo('B2')).resolves.toBeNull();
    expect(new URL(h.calls(V2.order)[0].url).searchParams.get('bill_no')).toBe('B1');
    const page = await h.client.listSalesOrders(2, 2);
    expect(page).toEqual({
      rows: [
        { id: '8', billNo: 'B10', audited: false },
        { id: '9', billNo: 'B1', audited: true },
      ],
      totalPages: 3,
      count: 2,
    });
    const url = new URL(h.calls(V2.order)[2].url);
    expect([url.searchParams.get('page'), url.searchParams.get('page_size')]).toEqual(['2', '2']);
  });

  it('a modify that adds lines sends no entry ids, and corrects once if the service kept the old lines', async () => {
    const saves: Array<Record<string, unknown>> = [];
    const h = v2Harness((request, url) => {
      if (url.pathname === V2.detail)
        return json({
          errcode: 0,
          data: {
            id: '9',
            bill_no: 'B1',
            bill_status: 'Z',
            material_entity: [{ id: 'e1' }, { id: 'e2' }, { id: 'e3' }],
          },
        });
      saves.push(JSON.parse(request.body!) as Record<string, unknown>);
      return v2Saved('9');
    });
    const line = draft().lines[0];
    await h.client.saveSalesOrder(draft({ id: '9', lines: [{ ...line, entryId: 'e1' }, { ...line }] }));
    expect(saves).toHaveLength(2);
    expect((saves[0].material_entity as Array<Record<string, unknown>>).map((l) => l.id)).toEqual([
      undefined,
      undefined,
    ]);
    expect((saves[1].material_entity as Array<Record<string, unknown>>).map((l) => l.id)).toEqual([
      'e1',
      'e2',
    ]);
    // every line with its entry id: one call, no read-back
    await h.client.saveSalesOrder(draft({ id: '9', lines: [{ ...line, entryId: 'e1' }] }));
    expect(saves).toHaveLength(3);
    expect(h.calls(V2.detail)).toHaveLength(1);
  });

  it('turns a timed-out save into an ambiguous error and a timed-out look-up into a plain retriable one', async () => {
    const h = v2Harness(() => {
      throw new TransportFailureError('no answer within 1000 ms', 'timeout', true);
    });
    const save = await saveError(h);
    expect(save).toBeInstanceOf(XingchenAmbiguousError);
    expect((save as XingchenAmbiguousError).reason).toBe('ambiguous_timeout');
    const lookup = await h.client.findStore('S').catch((e: unknown) => e);
    expect(lookup).toBeInstanceOf(RetriableError);
    expect(lookup).not.toBeInstanceOf(XingchenAmbiguousError);
    expect(await h.counter('sal_order_save', 'timeout')).toBe(1);
  });

  it('slows down on 429 and passes Retry-After on', async () => {
    const h = v2Harness(() => json({ code: 429, description: 'too many' }, 429, { 'retry-after': '1' }));
    const before = h.client.currentRate;
    const error = await saveError(h);
    expect(error).toBeInstanceOf(RetriableError);
    expect((error as RetriableError).retryAfterMs).toBe(1000);
    expect((error as RetriableError).reason).toBe('rate_limited');
    expect(h.client.currentRate).toBeLessThan(before);
    expect(await h.counter('sal_order_save', 'rate_limited')).toBe(1);
  });
});
