import { formatWdtTime } from '@app/contracts';
import { WdtClient } from '@app/wdt-client';
import { generateTrades } from './trade-generator';
import { createWdtSandbox } from './wdt-sandbox';

const NOW = Date.parse('2024-06-01T04:00:00Z');
const DAY = 86_400_000;

describe('the WDT sandbox archive (his_trade_query.php) and the route coverage of the native API', () => {
  const [recent, old] = generateTrades({ seed: 5, count: 2, endMs: NOW, settled: true });
  const oldTime = formatWdtTime(NOW - 120 * DAY);
  const sandbox = createWdtSandbox({
    clock: () => NOW,
    archiveAfterDays: 90,
    trades: [
      { ...recent, trade_no: 'RECENT', modified: formatWdtTime(NOW - DAY) },
      { ...old, trade_no: 'OLD', modified: oldTime },
    ],
  });
  const client = (route: 'qimen' | 'openapi') =>
    new WdtClient({
      route,
      baseUrl: sandbox.url,
      ...sandbox.credentials,
      now: () => NOW,
    });
  const window = (ms: number) => ({
    startTime: formatWdtTime(ms - 1000),
    endTime: formatWdtTime(ms + 1000),
    pageSize: 100,
  });

  beforeAll(() => sandbox.listen());
  afterAll(() => sandbox.close());

  it('serves an archived trade only from his_trade_query.php on the native route', async () => {
    const native = client('openapi');
    expect((await native.queryTrades(window(NOW - 120 * DAY))).trades).toEqual([]);
    const archived = await native.queryTrades({ ...window(NOW - 120 * DAY), archive: true });
    expect(archived.trades.map((t) => t.trade_no)).toEqual(['OLD']);
    expect((await native.queryTrades({ ...window(NOW - DAY), archive: true })).trades).toEqual([]);
    expect((await native.queryTrades(window(NOW - DAY))).trades.map((t) => t.trade_no)).toEqual(['RECENT']);
  });

  it('serves everything on Qimen, where the archive flag is ignored', async () => {
    const qimen = client('qimen');
    expect((await qimen.queryTrades(window(NOW - 120 * DAY))).trades.map((t) => t.trade_no)).toEqual(['OLD']);
  });
});
