import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FatalError, NonRetriableError, RetriableError, formatWdtTime } from '@app/contracts';
import { WdtClient, type WdtClientOptions, type WdtRoute } from '@app/wdt-client';
import {
  createWdtSandbox,
  generateTrades,
  type SandboxTrade,
  type WdtSandbox,
} from '../../../apps/wdt-sandbox/src';

/** The sandbox enforces wdt-api.md over HTTP, on both routes, as a client sees it. */
const NOW = Date.parse('2024-06-01T04:00:00Z'); // 12:00 Beijing
let clock = NOW;
let sandbox: WdtSandbox;
const base = generateTrades({ seed: 11, count: 1, endMs: NOW, settled: true })[0];
const at = (tradeNo: string, modified: string, extra: Partial<SandboxTrade> = {}): SandboxTrade => ({
  ...structuredClone(base),
  trade_no: tradeNo,
  modified,
  shop_no: 'TM001',
  warehouse_no: 'WH-SH01',
  trade_status: 55,
  logistics_no: '',
  ...extra,
});
const fixture: SandboxTrade[] = [
  at('T-A', '2024-06-01 09:59:59'),
  at('T-B', '2024-06-01 10:00:00', { shop_no: 'JD001' }),
  at('T-C', '2024-06-01 10:30:00', { trade_status: 95, logistics_no: 'SF1' }),
  at('T-D', '2024-06-01 10:30:00', { warehouse_no: 'WH-GZ01' }),
  at('T-E', '2024-06-01 10:59:59'),
  at('T-F', '2024-06-01 11:00:00'),
];

function client(route: WdtRoute, overrides: Partial<WdtClientOptions> = {}): WdtClient {
  const c = sandbox.credentials;
  return new WdtClient({
    route,
    baseUrl: sandbox.url,
    sid: c.sid,
    appKey: c.appKey,
    appSecret: c.appSecret,
    qimenAppKey: c.qimenAppKey,
    qimenSecret: c.qimenSecret,
    targetAppKey: c.targetAppKey,
    rateLimitPerMinute: 100000,
    now: () => clock,
    ...overrides,
  });
}

beforeAll(async () => {
  sandbox = createWdtSandbox({ trades: fixture, clock: () => clock, faults: { rateLimitPerMinute: 100000 } });
  await sandbox.listen(0);
});
afterAll(() => sandbox.close());
beforeEach(() => {
  clock = NOW;
  sandbox.setFaults({
    rateLimitPerMinute: 100000,
    errorRate: 0,
    malformedRate: 0,
    latencyMs: 0,
    serverErrorRate: 0,
  });
});

const hour = { startTime: '2024-06-01 10:00:00', endTime: '2024-06-01 10:59:59' };
const numbers = (trades: Array<{ trade_no: string }>) => trades.map((t) => t.trade_no);

describe.each<WdtRoute>(['qimen', 'openapi'])('the WDT sandbox over the %s route', (route) => {
  it('answers a window on modified with both bounds inclusive, ordered by modified then trade_no', async () => {
    const page = await client(route).queryTrades({ ...hour, pageSize: 100 });
    expect(page.totalCount).toBe(4);
    expect(numbers(page.trades)).toEqual(['T-B', 'T-C', 'T-D', 'T-E']);
    expect(page.trades[0]).toEqual(fixture[1]);
  });

  it('pages from page_no 0 with total_count on every page', async () => {
    const wdt = client(route);
    const pages = await Promise.all(
      [0, 1, 2].map((pageNo) => wdt.queryTrades({ ...hour, pageNo, pageSize: 2 })),
    );
    expect(pages.map((p) => [p.totalCount, numbers(p.trades)])).toEqual([
      [4, ['T-B', 'T-C']],
      [4, ['T-D', 'T-E']],
      [4, []],
    ]);
    const defaultSize = await wdt.queryTrades({ ...hour, pageSize: undefined });
    expect(defaultSize.trades).toHaveLength(4);
  });

  it('applies the status, shop_no and warehouse_no filters and the look-up mode', async () => {
    const wdt = client(route);
    expect(numbers((await wdt.queryTrades({ ...hour, status: 95 })).trades)).toEqual(['T-C']);
    expect(numbers((await wdt.queryTrades({ ...hour, shopNo: 'JD001' })).trades)).toEqual(['T-B']);
    expect(numbers((await wdt.queryTrades({ ...hour, warehouseNo: 'WH-GZ01' })).trades)).toEqual(['T-D']);
    expect(numbers((await wdt.queryTrades({ ...hour, hasLogisticsNo: 1 })).trades)).toEqual(['T-C']);
    // look-up mode ignores the window and the other filters
    expect(numbers((await wdt.queryTrades({ tradeNo: 'T-F', status: 5 })).trades)).toEqual(['T-F']);
    expect(numbers((await wdt.queryTrades({ logisticsNo: 'SF1' })).trades)).toEqual(['T-C']);
  });

  it('rejects bad windows and paging with a parameter error', async () => {
    const wdt = client(route);
    const cases = [
      { startTime: '2024-06-01 11:00:00', endTime: '2024-06-01 10:00:00' },
      { startTime: '2024-06-01 10:00:00', endTime: '2024-06-01 11:00:01' },
      { ...hour, pageSize: 101 },
      { ...hour, pageSize: 0 },
      { startTime: '2024-06-01T10:00:00', endTime: '2024-06-01 10:30:00' },
      { pageNo: 0 },
    ];
    for (const query of cases) {
      await expect(wdt.queryTrades(query)).rejects.toThrow(NonRetriableError);
    }
    // exactly the maximum span is allowed
    await expect(
      wdt.queryTrades({ startTime: '2024-06-01 10:00:00', endTime: '2024-06-01 11:00:00' }),
    ).resolves.toMatchObject({
      totalCount: 5,
    });
  });

  it('rejects a timestamp more than 5 minutes away and a wrong secret, naming the cause', async () => {
    await expect(client(route, { now: () => clock - 301_000 }).queryTrades(hour)).rejects.toMatchObject({
      reason: 'clock',
    });
    await expect(client(route, { now: () => clock + 299_000 }).queryTrades(hour)).resolves.toMatchObject({
      totalCount: 4,
    });
    const wrong = client(route, { appSecret: 'nope', qimenSecret: 'nope' });
    const error = await wrong.queryTrades(hour).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FatalError);
    expect((error as Error).message).toMatch(
      `WDT rejected the signature: check ${route === 'qimen' ? 'WDT_QIMEN_APP_SECRET' : 'WDT_APP_SECRET'}`,
    );
  });

  it('answers 1012 beyond the per-minute quota', async () => {
    sandbox.setFaults({ rateLimitPerMinute: 1 });
    const wdt = client(route);
    const before = sandbox.stats().rateLimited;
    const results = await Promise.allSettled([
      wdt.queryTrades(hour),
      wdt.queryTrades(hour),
      wdt.queryTrades(hour),
    ]);
    const rejected = results.filter((r) => r.status === 'rejected');
    // the quota window is shared with the other tests' calls of the last minute: at most one gets through
    expect(rejected.length).toBeGreaterThanOrEqual(2);
    for (const r of rejected) expect(r.reason).toBeInstanceOf(RetriableError);
    expect(sandbox.stats().rateLimited - before).toBe(rejected.length);
  });
});

describe('the WDT sandbox control API', () => {
  it('lists trades, inserts or replaces them by trade_no, and changes faults at run time', async () => {
    const all = (await (await fetch(`${sandbox.url}/__sandbox/trades`)).json()) as { trades: SandboxTrade[] };
    expect(numbers(all.trades)).toEqual(['T-A', 'T-B', 'T-C', 'T-D', 'T-E', 'T-F']);
    const moved = at('T-B', formatWdtTime(NOW));
    const posted = await fetch(`${sandbox.url}/__sandbox/trades`, {
      method: 'POST',
      body: JSON.stringify({ trades: [moved] }),
    });
    expect(await posted.json()).toEqual({ upserted: 1, total: 6 });
    expect(numbers((await client('qimen').queryTrades(hour)).trades)).toEqual(['T-C', 'T-D', 'T-E']);
    sandbox.store.upsert([fixture[1]]);

    const faults = await fetch(`${sandbox.url}/__sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ malformedRate: 1, latencyMs: 1 }),
    });
    expect(await faults.json()).toMatchObject({ malformedRate: 1, latencyMs: 1, errorRate: 0 });
    const page = await client('openapi').queryTrades(hour);
    expect(page.trades).toEqual([]);
    expect(page.invalid.map((i) => [i.tradeNo, i.reason])).toEqual(
      ['T-B', 'T-C', 'T-D', 'T-E'].map((no) => [no, 'required field missing: goods_list.0.spec_no']),
    );
    const bad = await fetch(`${sandbox.url}/__sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ errorRate: 2 }),
    });
    expect(bad.status).toBe(400);
  });

  it('answers injected 1012s and HTTP 502s as retriable', async () => {
    sandbox.setFaults({ errorRate: 1 });
    await expect(client('qimen').queryTrades(hour)).rejects.toMatchObject({
      reason: 'rate_limited',
      retryAfterMs: 30000,
    });
    sandbox.setFaults({ errorRate: 0, serverErrorRate: 1 });
    await expect(client('openapi').queryTrades(hour)).rejects.toMatchObject({
      reason: 'server_error',
      code: '502',
    });
  });
});

describe('an independent implementation of the signing algorithms', () => {
  it('signs with the sandbox defaults, gets data, and every tampered parameter is rejected', async () => {
    const live = createWdtSandbox({ generator: { seed: 5, count: 300, historySeconds: 7200 } });
    await live.listen(0);
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [
        join(__dirname, '../../../scripts/wdt-sign-check.mjs'),
        '--url',
        live.url,
      ]);
      expect(stdout).toContain('all checks passed');
      expect(stdout).not.toContain('FAIL');
      expect(stdout).toMatch(/qimen: signed request answered code 0 with total_count=[1-9]/);
    } finally {
      await live.close();
    }
  });
});
