import { Registry } from 'prom-client';
import { FatalError, NonRetriableError, RetriableError } from '@app/contracts';
import { createMetrics } from '@app/observability';
import { CallRateLimiter } from '@app/runtime';
import { WdtClient } from './wdt-client';
import { type WdtClientOptions } from './wdt-client.types';
import { openapiSign, qimenSign } from './wdt-signer';
import { QIMEN_VECTOR } from './wdt-vectors.fixture';

const trade = (tradeNo: string, overrides: Record<string, unknown> = {}) => ({
  trade_id: '1001',
  trade_no: tradeNo,
  shop_no: 'TM001',
  warehouse_no: 'WH-SH01',
  trade_status: 55,
  trade_time: '2024-01-01 10:00:00',
  modified: '2024-01-01 10:30:00',
  created: '2024-01-01 10:00:00',
  tax_rate: '0.1300',
  unknown_extra_field: 'kept',
  goods_list: [
    {
      rec_id: '1',
      spec_no: 'SKU-001',
      num: '2.0000',
      share_amount: '119.8000',
      gift_type: 0,
      refund_status: 0,
    },
  ],
  ...overrides,
});

interface Call {
  url: URL;
  body: string;
}

function fakeFetch(answer: (call: Call) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const impl = (async (input: string | URL | Request, init?: RequestInit) => {
    const call = {
      url: new URL(input instanceof Request ? input.url : input),
      body: typeof init?.body === 'string' ? init.body : '',
    };
    calls.push(call);
    return answer(call);
  }) as typeof fetch;
  return { impl, calls };
}

const json = (value: unknown, status = 200) =>
  new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });

const NOW = Date.parse('2024-01-01T04:00:00Z'); // 12:00:00 Beijing

function client(overrides: Partial<WdtClientOptions>, answer: (call: Call) => Response | Promise<Response>) {
  const fake = fakeFetch(answer);
  const metrics = createMetrics(new Registry());
  const options: WdtClientOptions = {
    route: 'qimen',
    baseUrl: 'http://wdt.test/',
    sid: 'test2',
    appKey: 'native-key',
    appSecret: 'native-secret',
    qimenAppKey: '12345678',
    qimenSecret: 'helloworld',
    targetAppKey: '21363512',
    now: () => NOW,
    fetch: fake.impl,
    rateLimitPerMinute: 6000,
    ...overrides,
  };
  const limiter = new CallRateLimiter({ callsPerMinute: 6000, windowMarginMs: 0 });
  return { wdt: new WdtClient(options, metrics, limiter), calls: fake.calls, metrics, limiter };
}

const window = { startTime: '2024-01-01 00:00:00', endTime: '2024-01-01 01:00:00', pageNo: 0, pageSize: 100 };

describe('WdtClient over Qimen', () => {
  it('sends every parameter in the query string, signed like the contract vector', async () => {
    const { wdt, calls } = client({}, () =>
      json({ response: { code: 0, message: '', total_count: 0, trades: [] } }),
    );
    const page = await wdt.queryTrades(window);
    expect(page).toEqual({ pageNo: 0, pageSize: 100, totalCount: 0, trades: [], sent: [], invalid: [] });
    const [call] = calls;
    expect(call.url.pathname).toBe('/router/qm');
    const params = Object.fromEntries(call.url.searchParams);
    // the exact parameters and signature of the Qimen vector of wdt-api.md
    expect(params).toEqual({ ...QIMEN_VECTOR.params, sign: '390BB9F1F1C3D92447B979C409FF1038' });
  });

  it('parses the wrapped envelope and keeps unknown fields', async () => {
    const { wdt } = client({}, () =>
      json({ response: { code: 0, total_count: '1', trades: [trade('JY1')] } }),
    );
    const page = await wdt.queryTrades(window);
    expect(page.totalCount).toBe(1);
    expect(page.trades).toEqual([trade('JY1')]);
  });

  it("learns WDT's clock from the Date header of its answers (chaos R9: a clock running ahead lost trades)", async () => {
    const { wdt } = client({}, () => {
      const answer = json({ response: { code: 0, total_count: '0', trades: [] } });
      answer.headers.set('date', new Date(NOW - 90_000).toUTCString());
      return answer;
    });
    expect(wdt.serverClockOffsetMs).toBeUndefined();
    await wdt.queryTrades(window);
    expect(wdt.serverClockOffsetMs).toBe(-90_000);
  });

  it('accepts errorcode instead of code', async () => {
    const { wdt } = client({}, () => json({ response: { errorcode: 0, total_count: 0, trades: [] } }));
    await expect(wdt.queryTrades(window)).resolves.toMatchObject({ totalCount: 0 });
  });

  it('accepts the mixed types of WDT samples, parses them and keeps the trade as sent', async () => {
    const numeric = trade('JY3', {
      trade_id: 1003,
      trade_status: 55,
      version_id: 1,
      tax_rate: '',
      goods_list: [
        { rec_id: 9, spec_no: 'SKU-001', num: 2, share_amount: 102.1, gift_type: 0, refund_status: 0 },
      ],
    });
    const { wdt } = client({}, () => json({ response: { code: 0, total_count: 1, trades: [numeric] } }));
    const page = await wdt.queryTrades(window);
    expect(page.invalid).toEqual([]);
    expect(page.sent).toEqual([numeric]);
    expect(page.trades[0]).toMatchObject({ trade_id: '1003', version_id: '1', unknown_extra_field: 'kept' });
    expect(page.trades[0].goods_list[0]).toMatchObject({ rec_id: '9', num: '2', share_amount: '102.1' });
    expect('tax_rate' in page.trades[0]).toBe(false);
  });

  it('reports a trade that breaks the tolerant contract with the reason instead of dropping it', async () => {
    const bad = trade('JY2', {
      goods_list: [{ rec_id: '9', num: 2, share_amount: '1.0000', gift_type: 0, refund_status: 0 }],
    });
    const noNumber = { ...trade('X'), trade_no: undefined };
    const { wdt } = client({}, () =>
      json({ response: { code: 0, total_count: 3, trades: [trade('JY1'), bad, noNumber] } }),
    );
    const page = await wdt.queryTrades(window);
    expect(page.trades.map((t) => t.trade_no)).toEqual(['JY1']);
    expect(page.invalid).toEqual([
      {
        tradeNo: 'JY2',
        modified: '2024-01-01 10:30:00',
        position: 1,
        reason: 'required field missing: goods_list.0.spec_no',
        problemReason: 'missing_field',
        raw: bad,
      },
      {
        tradeNo: null,
        modified: '2024-01-01 10:30:00',
        position: 2,
        reason: 'required field missing: trade_no',
        problemReason: 'missing_field',
        raw: noNumber,
      },
    ]);
  });

  it('reads a TOP-style error_response as a gateway failure: auth codes fatal naming the variable, the rest retried', async () => {
    const answer = (code: number, subCode: string) => () =>
      json({
        error_response: { code, msg: 'failed', sub_code: subCode, sub_msg: 'detail', request_id: 'r1' },
      });
    const fatal = [
      [25, 'isv.invalid-signature', /check WDT_QIMEN_APP_SECRET/],
      [29, 'isv.appkey-not-exists', /check WDT_QIMEN_APP_KEY/],
      [31, 'isv.invalid-timestamp', /clock/],
      [27, 'isv.invalid-session', /WDT_SID/],
    ] as const;
    for (const [code, subCode, pattern] of fatal) {
      const { wdt } = client({}, answer(code, subCode));
      const error = await wdt.queryTrades(window).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FatalError);
      expect((error as FatalError).message).toMatch(pattern);
    }
    const limited = await client({}, answer(7, 'accesscontrol.limited-by-app-access-count'))
      .wdt.queryTrades(window)
      .catch((e: unknown) => e);
    expect(limited).toMatchObject({ retriable: true, reason: 'rate_limited', retryAfterMs: 30000 });
    const remote = await client({}, answer(15, 'isp.remote-service-error'))
      .wdt.queryTrades(window)
      .catch((e: unknown) => e);
    expect(remote).toBeInstanceOf(RetriableError);
    expect(remote).toMatchObject({ reason: 'gateway_error', code: '15' });
  });

  it('turns a gateway signature failure into a FatalError naming the secret', async () => {
    const { wdt, metrics } = client({}, () =>
      json({
        response: {
          flag: 'failure',
          code: 'sign-check-failure',
          message: 'Illegal request',
          sub_code: 'sign-check-failure',
          sub_message: 'sign error',
        },
      }),
    );
    const error = await wdt.queryTrades(window).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FatalError);
    expect((error as FatalError).message).toMatch(/^WDT rejected the signature: check WDT_QIMEN_APP_SECRET/);
    expect((error as FatalError).reason).toBe('signature');
    expect(await metrics.wdtRequests.get()).toMatchObject({
      values: [{ labels: { method: 'wdt.trade.query', outcome: 'auth_error' }, value: 1 }],
    });
  });

  it('turns 1012 into a RetriableError asking for at least 30 s and slows the limiter down', async () => {
    const { wdt, limiter } = client({}, () => json({ response: { code: 1012, message: '调用太频繁' } }));
    const error = await wdt.queryTrades(window).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriableError);
    expect(error).toMatchObject({ reason: 'rate_limited', code: '1012', retryAfterMs: 30000 });
    expect(limiter.pace).toBeCloseTo(0.9, 10);
  });

  it('turns another business code into a NonRetriableError with the code', async () => {
    const { wdt } = client({}, () =>
      json({ response: { code: 40, message: 'end_time must not be earlier than start_time' } }),
    );
    await expect(wdt.queryTrades(window)).rejects.toThrow(NonRetriableError);
    await expect(wdt.queryTrades(window)).rejects.toMatchObject({ reason: 'parameter', code: '40' });
  });

  it('retries HTTP 5xx, unreadable bodies, network errors and timeouts', async () => {
    const cases: Array<[() => Response | Promise<Response>, string]> = [
      [() => new Response('busy', { status: 503 }), 'server_error'],
      [() => new Response('<html>', { status: 200 }), 'malformed_response'],
      [() => Promise.reject(new TypeError('fetch failed')), 'network'],
    ];
    for (const [answer, reason] of cases) {
      const { wdt } = client({}, answer);
      await expect(wdt.queryTrades(window)).rejects.toMatchObject({ retriable: true, reason });
    }
    // a server that never answers: the client's own timeout aborts the request
    const hanging = (async (_input: string | URL | Request, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal!.reason as Error));
      })) as typeof fetch;
    const { wdt } = client({ timeoutMs: 20, fetch: hanging }, () => json({}));
    await expect(wdt.queryTrades(window)).rejects.toMatchObject({ retriable: true, reason: 'timeout' });
  });

  it('reads every page and says when total_count changed between pages', async () => {
    const totals = [3, 2];
    const { wdt, calls } = client({}, (call) => {
      const pageNo = Number(call.url.searchParams.get('page_no'));
      return json({ response: { code: 0, total_count: totals[pageNo], trades: [trade(`JY${pageNo}`)] } });
    });
    const result = await wdt.queryAllTrades({ ...window, pageSize: 2 });
    expect(calls.map((c) => c.url.searchParams.get('page_no'))).toEqual(['0', '1']);
    expect(result.totalCountChanged).toBe(true);
    expect(result.pages.map((p) => p.trades[0].trade_no)).toEqual(['JY0', 'JY1']);
  });
});

describe('WdtClient over the native open API', () => {
  it('posts a form signed with the appsecret and a Unix timestamp', async () => {
    const { wdt, calls } = client({ route: 'openapi' }, () =>
      json({ code: 0, message: '', total_count: 0, trades: [] }),
    );
    await wdt.queryTrades({ ...window, shopNo: '店铺01' });
    const [call] = calls;
    expect(call.url.pathname).toBe('/openapi2/trade_query.php');
    expect(call.url.search).toBe('');
    const params = Object.fromEntries(new URLSearchParams(call.body));
    expect(params.timestamp).toBe(String(NOW / 1000));
    expect(params.shop_no).toBe('店铺01');
    const { sign, ...rest } = params;
    expect(sign).toBe(openapiSign(rest, 'native-secret'));
    expect(sign).not.toBe(qimenSign(rest, 'native-secret'));
  });

  it('turns code 100 about the sign into a FatalError naming WDT_APP_SECRET', async () => {
    const { wdt } = client({ route: 'openapi' }, () => json({ code: 100, message: 'sign error' }));
    await expect(wdt.queryTrades(window)).rejects.toThrow(
      /^WDT rejected the signature: check WDT_APP_SECRET/,
    );
  });

  it('names the clock when the timestamp is rejected', async () => {
    const { wdt } = client({ route: 'openapi' }, () => json({ code: 100, message: 'timestamp expired' }));
    await expect(wdt.queryTrades(window)).rejects.toMatchObject({
      reason: 'clock',
      message: expect.stringMatching(/clock/),
    });
  });
});
