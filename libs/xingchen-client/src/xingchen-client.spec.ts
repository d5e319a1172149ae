import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { FatalError, RetriableError } from '@app/contracts';
import { createLogger, createMetrics, type Metrics } from '@app/observability';
import { TransportFailureError, type HttpRequest, type HttpResponse } from './http-transport';
import { XingchenClient } from './xingchen-client';
import { XingchenAmbiguousError, XingchenBusinessError } from './xingchen-errors';
import { gatewaySignature } from './xingchen-signer';
import { type XingchenClientConfig } from './xingchen.types';

const config: XingchenClientConfig = {
  baseUrl: 'http://xingchen.test/',
  clientId: '100001',
  clientSecret: 'client-secret-value',
  appKey: 'demoAppKey',
  appSecret: 'app-secret-value',
  domain: 'tenant.example',
  rateLimitPerMinute: 60_000,
  maxConcurrency: 4,
  requestTimeoutMs: 1000,
  tokenRefreshMarginMs: 60_000,
};

const json = (body: unknown, status = 200, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers,
  body: JSON.stringify(body),
});
const tokenAnswer = (token: string, expires = Date.now() + 86_400_000) =>
  json({
    errcode: 0,
    description: '成功',
    data: { 'app-token': token, access_token: token, expires, uid: 1 },
  });

type Route = (request: HttpRequest, url: URL) => HttpResponse | Promise<HttpResponse>;

function harness(route: Route) {
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

const saved = (id: string) =>
  json({ errcode: 0, description: 'success', data: { ids: [id], id_number_map: { [id]: 'B1' } } });
const body = { billno: 'B1', billdate: '2024-01-02', customerid_id: 'c1', material_entity: [] };

describe('XingchenClient', () => {
  it('signs every request, sends the token and router headers, and accepts the new envelope', async () => {
    const h = harness((_request, url) =>
      url.pathname.endsWith('kingdee_auth_token') ? tokenAnswer('tok-1') : saved('9001'),
    );
    await expect(h.client.saveSalesOrder(body)).resolves.toEqual({ id: '9001' });
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
      config.clientSecret,
    );
    expect(tokenCall.headers['X-Api-Signature']).toBe(expected);
    expect(saveCall.method).toBe('POST');
    expect(saveCall.url).toBe('http://xingchen.test/jdy/sal/sal_order_save');
    expect(saveCall.headers['app-token']).toBe('tok-1');
    expect(saveCall.headers['X-GW-Router-Addr']).toBe('tenant.example');
    expect(JSON.parse(saveCall.body!)).toEqual(body);
    expect(await h.counter('sal_order_save', 'success')).toBe(1);
    expect(await h.counter('token', 'success')).toBe(1);
  });

  it('accepts the legacy envelope', async () => {
    const h = harness((_r, url) =>
      url.pathname.endsWith('kingdee_auth_token')
        ? tokenAnswer('t')
        : json({ success: true, data: { successPkIds: ['77'] } }),
    );
    await expect(h.client.saveSalesOrder({ ...body, id: '77' })).resolves.toEqual({ id: '77' });
  });

  it('shares one token between concurrent calls and never fetches one per request', async () => {
    const h = harness((_r, url) =>
      url.pathname.endsWith('kingdee_auth_token') ? tokenAnswer('t') : saved('1'),
    );
    await Promise.all(Array.from({ length: 12 }, () => h.client.saveSalesOrder(body)));
    await h.client.saveSalesOrder(body);
    expect(h.calls('/jdyconnector/app_management/kingdee_auth_token')).toHaveLength(1);
    expect(h.calls('/jdy/sal/sal_order_save')).toHaveLength(13);
  });

  it('refreshes the token once on 4011 and repeats the call', async () => {
    let tokens = 0;
    const h = harness((request, url) => {
      if (url.pathname.endsWith('kingdee_auth_token')) return tokenAnswer(`t${++tokens}`);
      if (request.headers['app-token'] === 't1')
        return json({ code: 4011, description_cn: 'token过期' }, 519);
      return saved('5');
    });
    await Promise.all([
      h.client.saveSalesOrder(body),
      h.client.saveSalesOrder(body),
      h.client.saveSalesOrder(body),
    ]);
    expect(tokens).toBe(2);
    expect(
      h
        .calls('/jdy/sal/sal_order_save')
        .map((r) => r.headers['app-token'])
        .sort(),
    ).toEqual(['t1', 't1', 't1', 't2', 't2', 't2']);
    expect(await h.counter('sal_order_save', 'auth_error')).toBe(3);
  });

  it('gives up after one refresh when the new token is refused too', async () => {
    let tokens = 0;
    const h = harness((_r, url) =>
      url.pathname.endsWith('kingdee_auth_token')
        ? tokenAnswer(`t${++tokens}`)
        : json({ code: 4010, description_cn: 'token无效' }, 519),
    );
    const error = await h.client.saveSalesOrder(body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriableError);
    expect((error as RetriableError).reason).toBe('token_invalid');
    expect(tokens).toBe(2);
    expect(h.calls('/jdy/sal/sal_order_save')).toHaveLength(2);
  });

  it('maps a rotated app secret (1030002006) to a FatalError naming the cause', async () => {
    const h = harness(() => json({ errcode: 1030002006, description: '授权密钥校验失败' }));
    const error = await h.client.findCustomer('C1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FatalError);
    expect((error as FatalError).message).toContain('XINGCHEN_APP_SECRET');
    expect(h.requests).toHaveLength(1);
  });

  it('maps a wrong client secret (519/4008) to a FatalError and never logs secrets', async () => {
    const h = harness(() => json({ code: 4008, description_cn: '签名无效' }, 519));
    const error = await h.client.findCustomer('C1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FatalError);
    expect((error as FatalError).reason).toBe('signature_invalid');
    expect((error as FatalError).message).toContain('XINGCHEN_CLIENT_SECRET is probably wrong');
    const log = h.lines.join('');
    expect(log).toContain('signature_invalid');
    for (const secret of [config.clientSecret, config.appSecret]) expect(log).not.toContain(secret);
  });

  it('maps business errcodes to XingchenBusinessError with the code', async () => {
    const h = harness((_r, url) =>
      url.pathname.endsWith('kingdee_auth_token')
        ? tokenAnswer('t')
        : json({ errcode: 2006, description: '单据编号已存在' }),
    );
    const error = await h.client.saveSalesOrder(body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XingchenBusinessError);
    expect((error as XingchenBusinessError).errcode).toBe(2006);
    expect((error as XingchenBusinessError).reason).toBe('bill_exists');
    expect(await h.counter('sal_order_save', 'business_error')).toBe(1);
  });

  it('returns null for 1001 on look-ups and parses materials with their units', async () => {
    const h = harness((_r, url) => {
      if (url.pathname.endsWith('kingdee_auth_token')) return tokenAnswer('t');
      if (url.searchParams.get('number') === 'NOPE')
        return json({ errcode: 1001, description: '数据不存在' });
      return json({
        errcode: 0,
        description: '成功',
        data: {
          id: 'm1',
          number: 'SKU-001',
          name: '保温杯',
          base_unit_id: 'u1',
          fix_unit_id1: 'u2',
          fix_unit_id2: '',
          enable: '1',
        },
      });
    });
    await expect(h.client.findMaterial('NOPE')).resolves.toBeNull();
    await expect(h.client.findMaterial('SKU-001')).resolves.toEqual({
      id: 'm1',
      number: 'SKU-001',
      name: '保温杯',
      baseUnitId: 'u1',
      unitIds: ['u1', 'u2'],
      enabled: true,
    });
    const lookup = new URL(h.calls('/jdy/v2/bd/material_detail')[0].url);
    expect(lookup.searchParams.get('number')).toBe('NOPE');
  });

  it('finds a sales order by exact bill number', async () => {
    const h = harness((_r, url) =>
      url.pathname.endsWith('kingdee_auth_token')
        ? tokenAnswer('t')
        : json({
            errcode: 0,
            data: {
              count: '2',
              page: 1,
              page_size: 20,
              total_page: 1,
              rows: [
                { id: '8', billno: 'B10' },
                { id: '9', billno: 'B1' },
              ],
            },
          }),
    );
    await expect(h.client.findSalesOrderByBillNo('B1')).resolves.toEqual({ id: '9', billno: 'B1' });
    await expect(h.client.findSalesOrderByBillNo('B2')).resolves.toBeNull();
    expect(new URL(h.calls('/jdy/v2/scm/sal_order')[0].url).searchParams.get('bill_no')).toBe('B1');
  });

  it('lists sales orders page by page', async () => {
    const h = harness((_r, url) =>
      url.pathname.endsWith('kingdee_auth_token')
        ? tokenAnswer('t')
        : json({
            errcode: 0,
            data: {
              count: '3',
              page: 2,
              page_size: 2,
              total_page: 2,
              rows: [{ id: '9', billno: 'B3', bill_date: '2024-01-01' }],
            },
          }),
    );
    await expect(h.client.listSalesOrders(2, 2)).resolves.toEqual({
      rows: [{ id: '9', billno: 'B3' }],
      totalPages: 2,
      count: 3,
    });
    const url = new URL(h.calls('/jdy/v2/scm/sal_order')[0].url);
    expect([url.searchParams.get('page'), url.searchParams.get('page_size')]).toEqual(['2', '2']);
  });

  it('turns a timed-out save into an ambiguous error and a timed-out look-up into a plain retriable one', async () => {
    const h = harness((_r, url) => {
      if (url.pathname.endsWith('kingdee_auth_token')) return tokenAnswer('t');
      throw new TransportFailureError('no answer within 1000 ms', 'timeout', true);
    });
    const save = await h.client.saveSalesOrder(body).catch((e: unknown) => e);
    expect(save).toBeInstanceOf(XingchenAmbiguousError);
    expect((save as XingchenAmbiguousError).reason).toBe('ambiguous_timeout');
    const lookup = await h.client.findStore('S').catch((e: unknown) => e);
    expect(lookup).toBeInstanceOf(RetriableError);
    expect(lookup).not.toBeInstanceOf(XingchenAmbiguousError);
    expect(await h.counter('sal_order_save', 'timeout')).toBe(1);
  });

  it('slows down on 429 and passes Retry-After on', async () => {
    const h = harness((_r, url) =>
      url.pathname.endsWith('kingdee_auth_token')
        ? tokenAnswer('t')
        : json({ code: 429, description: 'too many' }, 429, { 'retry-after': '1' }),
    );
    const before = h.client.currentRate;
    const error = await h.client.saveSalesOrder(body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriableError);
    expect((error as RetriableError).retryAfterMs).toBe(1000);
    expect((error as RetriableError).reason).toBe('rate_limited');
    expect(h.client.currentRate).toBeLessThan(before);
    expect(await h.counter('sal_order_save', 'rate_limited')).toBe(1);
  });
});
