import pino from 'pino';
import { Registry } from 'prom-client';
import { FatalError, RetriableError, type WdtTrade, formatWdtTime, parseWdtTime } from '@app/contracts';
import { type OutgoingMessage } from '@app/kafka';
import { settle } from '@app/testing';
import { createMetrics } from '@app/observability';
import { type TradePage, type TradeQuery } from '@app/wdt-client';
import { RecentlyPublished } from './recently-published';
import { WindowExtractor, type TradeSource } from './window-extractor';
import { planWindows } from './window-planner';

const trade = (tradeNo: string, modified: string): WdtTrade => ({
  trade_id: tradeNo.replace(/\D/g, '') || '1',
  trade_no: tradeNo,
  shop_no: 'TM001',
  warehouse_no: 'WH-SH01',
  trade_status: 55,
  trade_time: modified,
  modified,
  created: modified,
  goods_list: [
    {
      rec_id: '1',
      spec_no: 'SKU-001',
      num: '1.0000',
      share_amount: '59.9000',
      gift_type: 0,
      refund_status: 0,
    },
  ],
});

/** A WDT stand-in over a mutable list: ordered by modified then trade_no, paged over the live data. */
class FakeWdt implements TradeSource {
  trades = new Map<string, WdtTrade>();
  calls: TradeQuery[] = [];
  beforeAnswer?: (query: TradeQuery) => void;
  failures: Array<(query: TradeQuery) => Error | undefined> = [];

  add(...trades: WdtTrade[]) {
    for (const t of trades) this.trades.set(t.trade_no, t);
  }

  async queryTrades(query: TradeQuery): Promise<TradePage> {
    this.calls.push(query);
    for (const failure of this.failures) {
      const error = failure(query);
      if (error) throw error;
    }
    const all = [...this.trades.values()]
      .filter((t) => t.modified >= query.startTime! && t.modified <= query.endTime!)
      .sort((a, b) => a.modified.localeCompare(b.modified) || a.trade_no.localeCompare(b.trade_no));
    const size = query.pageSize!;
    const page = all.slice(query.pageNo! * size, (query.pageNo! + 1) * size);
    this.beforeAnswer?.(query);
    return {
      pageNo: query.pageNo!,
      pageSize: size,
      totalCount: all.length,
      trades: page,
      sent: page,
      invalid: [],
    };
  }
}

class FakeSink {
  sent: Array<{ topic: string; message: OutgoingMessage }> = [];
  async send(topic: string, messages: OutgoingMessage[]) {
    for (const message of messages) this.sent.push({ topic, message });
  }
  keys(topic = 'raw') {
    return this.sent.filter((s) => s.topic === topic).map((s) => s.message.key);
  }
}

const options = {
  rawTopic: 'raw',
  pageSize: 2,
  windowConcurrency: 4,
  pageConcurrency: 2,
  rereadAttempts: 3,
  retryInitialMs: 1,
  retryMaxMs: 2,
};
const logger = pino({ level: 'silent' });
const hours = (from: string, count: number) =>
  planWindows({
    checkpointMs: parseWdtTime(from) - 1000,
    nowMs: parseWdtTime(from) + count * 3600_000 - 1000,
    overlapSeconds: 0,
    safetyLagSeconds: 0,
    maxSpanSeconds: 3600,
  });

function setup() {
  const wdt = new FakeWdt();
  const sink = new FakeSink();
  const metrics = createMetrics(new Registry());
  const extractor = new WindowExtractor(wdt, sink, options, metrics, logger);
  const progress: string[] = [];
  const onProgress = async (ms: number) => {
    progress.push(formatWdtTime(ms));
  };
  return { wdt, sink, metrics, extractor, progress, onProgress };
}

describe('WindowExtractor', () => {
  it('publishes every trade of every page, keyed by trade_no with the context headers, boundary seconds included', async () => {
    const { wdt, sink, extractor, progress, onProgress, metrics } = setup();
    wdt.add(
      trade('A1', '2024-01-01 10:00:00'),
      trade('A2', '2024-01-01 10:30:00'),
      trade('A3', '2024-01-01 10:30:00'),
      trade('A4', '2024-01-01 10:59:59'),
      trade('A5', '2024-01-01 11:00:00'),
      trade('A6', '2024-01-01 11:59:59'),
    );
    const result = await extractor.extract(hours('2024-01-01 10:00:00', 2), 'live', onProgress);
    expect(sink.keys().sort()).toEqual(['A1', 'A2', 'A3', 'A4', 'A5', 'A6']);
    expect(result).toEqual({ windows: 2, pages: 3, trades: 6, invalid: 0, rereads: 0, unchanged: 0 });
    expect(progress[progress.length - 1]).toBe('2024-01-01 11:59:59');
    const first = sink.sent.find((s) => s.message.key === 'A4')!.message;
    expect(first.headers).toEqual({
      'source-modified': '2024-01-01T10:59:59+08:00',
      'correlation-id': expect.stringMatching(/^[0-9a-f-]{36}$/),
      'schema-version': '1',
      'source-system': 'wdt',
    });
    expect(JSON.parse(first.value as string)).toEqual(trade('A4', '2024-01-01 10:59:59'));
    expect((await metrics.extractorWindows.get()).values).toEqual([{ labels: { mode: 'live' }, value: 2 }]);
  });

  it('re-reads a window when a trade modified while paging shifts the pages', async () => {
    const { wdt, sink, extractor, onProgress } = setup();
    wdt.add(...['B1', 'B2', 'B3', 'B4', 'B5'].map((no, i) => trade(no, `2024-01-01 10:0${i}:00`)));
    let moved = false;
    wdt.beforeAnswer = (query) => {
      if (query.pageNo === 0 && !moved) {
        moved = true;
        // B1 (on page 0) is modified now: it leaves the window and B3 slides onto page 0
        wdt.add(trade('B1', '2024-01-01 12:00:00'));
      }
    };
    const result = await extractor.extract(hours('2024-01-01 10:00:00', 1), 'live', onProgress);
    expect(result.rereads).toBe(1);
    expect(new Set(sink.keys())).toEqual(new Set(['B1', 'B2', 'B3', 'B4', 'B5']));
  });

  it('sends an invalid trade to the DLQ with the reason and completes the window', async () => {
    const { wdt, sink, extractor, progress, onProgress } = setup();
    wdt.add(trade('C1', '2024-01-01 10:10:00'));
    const real = wdt.queryTrades.bind(wdt);
    wdt.queryTrades = async (query) => {
      const page = await real(query);
      return {
        ...page,
        totalCount: page.totalCount + 1,
        invalid: [
          {
            tradeNo: 'C2',
            modified: '2024-01-01 10:20:00',
            position: 1,
            reason: 'required field missing: goods_list.0.spec_no',
            problemReason: 'missing_field' as const,
            raw: { trade_no: 'C2' },
          },
        ],
      };
    };
    await extractor.extract(hours('2024-01-01 10:00:00', 1), 'live', onProgress);
    expect(sink.keys()).toEqual(['C1']);
    const [dead] = sink.sent.filter((s) => s.topic === 'raw.dlq');
    expect(dead.message.key).toBe('C2');
    expect(dead.message.value).toBe('{"trade_no":"C2"}');
    expect(dead.message.headers).toMatchObject({
      'dlq-original-topic': 'raw',
      'dlq-error-message': 'required field missing: goods_list.0.spec_no',
      'dlq-error-reason': 'invalid_trade',
      'dlq-error-detail': 'missing_field',
      'dlq-hop': 'extractor',
      'dlq-source-position': 'page 0 position 1',
      'source-modified': '2024-01-01T10:20:00+08:00',
    });
    expect(progress).toEqual(['2024-01-01 10:59:59']);
  });

  it('reads the windows wholly older than the archive horizon from the archive', async () => {
    const { wdt, extractor, onProgress } = setup();
    wdt.add(trade('H1', '2024-01-01 10:10:00'), trade('H2', '2024-01-01 11:10:00'));
    await extractor.extract(hours('2024-01-01 10:00:00', 2), 'backfill', onProgress, undefined, {
      archiveBeforeMs: parseWdtTime('2024-01-01 11:30:00'),
    });
    expect(wdt.calls.map((call) => [call.startTime, call.archive === true])).toEqual([
      ['2024-01-01 10:00:00', true],
      ['2024-01-01 11:00:00', false],
    ]);
  });

  it('lets other windows go on while a page waits out a 1012, and checkpoints only a complete prefix', async () => {
    const { wdt, sink, extractor, progress, onProgress } = setup();
    for (let h = 0; h < 4; h++) wdt.add(trade(`D${h}`, `2024-01-01 1${h}:15:00`));
    let rejected = false;
    wdt.failures.push((query) => {
      if (query.startTime === '2024-01-01 10:00:00' && !rejected) {
        rejected = true;
        return new RetriableError('1012', { reason: 'rate_limited', code: '1012', retryAfterMs: 50 });
      }
      return undefined;
    });
    const order: string[] = [];
    const realSend = sink.send.bind(sink);
    sink.send = async (topic, messages) => {
      order.push(...messages.map((m) => m.key!));
      return realSend(topic, messages);
    };
    await extractor.extract(hours('2024-01-01 10:00:00', 4), 'live', onProgress);
    expect(order[order.length - 1]).toBe('D0');
    // nothing was checkpointed before the first window was done; then straight to the end
    expect(progress).toEqual(['2024-01-01 13:59:59']);
  });

  it('does not report progress before the sink acknowledged', async () => {
    const { wdt, extractor, progress, onProgress } = setup();
    wdt.add(trade('E1', '2024-01-01 10:10:00'));
    const sink = {
      release: () => undefined as void,
      send: (_t: string, _m: OutgoingMessage[]) => new Promise<void>((resolve) => (sink.release = resolve)),
    };
    const slow = new WindowExtractor(wdt, sink, options, createMetrics(new Registry()), logger);
    void extractor;
    const running = slow.extract(hours('2024-01-01 10:00:00', 1), 'live', onProgress);
    await new Promise((resolve) => setImmediate(resolve));
    expect(progress).toEqual([]);
    sink.release();
    await running;
    expect(progress).toEqual(['2024-01-01 10:59:59']);
  });

  it('stops on a FatalError without reporting progress for the failed window', async () => {
    const { wdt, extractor, progress, onProgress } = setup();
    wdt.failures.push(
      () => new FatalError('WDT rejected the signature: check WDT_APP_SECRET', { reason: 'signature' }),
    );
    await expect(extractor.extract(hours('2024-01-01 10:00:00', 3), 'live', onProgress)).rejects.toThrow(
      /check WDT_APP_SECRET/,
    );
    expect(progress).toEqual([]);
    expect(wdt.calls.length).toBeLessThanOrEqual(options.windowConcurrency);
  });

  it('stops fetching while Kafka has not acknowledged maxUnackedTrades trades, and resumes as acks come in', async () => {
    const { wdt, progress, onProgress } = setup();
    for (let hour = 10; hour < 14; hour++)
      for (let i = 0; i < 6; i++) wdt.add(trade(`U${hour}${i}`, `2024-01-01 ${hour}:0${i}:00`));
    const acks: Array<() => void> = [];
    const sent: string[] = [];
    const holdingSink = {
      send: (_topic: string, messages: OutgoingMessage[]) =>
        new Promise<void>((resolve) =>
          acks.push(() => {
            sent.push(...messages.map((m) => m.key!));
            resolve();
          }),
        ),
    };
    const bounded = new WindowExtractor(
      wdt,
      holdingSink,
      { ...options, maxUnackedTrades: 4 },
      createMetrics(new Registry()),
      logger,
    );
    const running = bounded.extract(hours('2024-01-01 10:00:00', 4), 'live', onProgress);
    await waitUntil(() => acks.length === 2);
    await settle();

    expect(wdt.calls).toHaveLength(2); // 2 pages of 2 trades: the budget of 4 is used up
    while (sent.length < 24) {
      await waitUntil(() => acks.length > 0);
      acks.shift()!();
    }
    await running;
    expect(new Set(sent).size).toBe(24);
    expect(progress.at(-1)).toBe('2024-01-01 13:59:59');
  });

  it('live: a trade re-read with the payload Kafka acknowledged is not sent again; a changed one, a new one and a backfill are', async () => {
    const { wdt, sink, metrics, onProgress } = setup();
    const recent = new RecentlyPublished();
    const live = new WindowExtractor(wdt, sink, { ...options, recentlyPublished: recent }, metrics, logger);
    wdt.add(trade('R1', '2024-01-01 10:10:00'), trade('R2', '2024-01-01 10:20:00'));
    const window = hours('2024-01-01 10:00:00', 1);

    const firstRead = await live.extract(window, 'live', onProgress);
    const overlapRead = await live.extract(window, 'live', onProgress);
    expect(firstRead.unchanged).toBe(0);
    expect(overlapRead.unchanged).toBe(2);
    expect(sink.keys()).toEqual(['R1', 'R2']);

    wdt.add(
      { ...trade('R2', '2024-01-01 10:20:00'), receiver_name: '李四' },
      trade('R3', '2024-01-01 10:30:00'),
    );
    const afterChange = await live.extract(window, 'live', onProgress);
    expect(afterChange.unchanged).toBe(1);
    expect(sink.keys()).toEqual(['R1', 'R2', 'R2', 'R3']);

    await live.extract(window, 'backfill', async () => undefined);
    expect(sink.keys()).toEqual(['R1', 'R2', 'R2', 'R3', 'R1', 'R2', 'R3']);
    expect(
      await metrics.registry.getSingleMetricAsString('erpsync_extractor_trades_unchanged_total'),
    ).toMatch(/erpsync_extractor_trades_unchanged_total 3$/m);
  });

  it('live: a payload whose send failed is not taken as sent, so the next read sends it', async () => {
    const { wdt, metrics, onProgress } = setup();
    const recent = new RecentlyPublished();
    let failNext = true;
    const sent: string[] = [];
    const flakySink = {
      send: async (_topic: string, messages: OutgoingMessage[]) => {
        if (failNext) {
          failNext = false;
          throw new RetriableError('broker unavailable', { reason: 'produce_failed' });
        }
        sent.push(...messages.map((m) => m.key!));
      },
    };
    const live = new WindowExtractor(
      wdt,
      flakySink,
      { ...options, recentlyPublished: recent },
      metrics,
      logger,
    );
    wdt.add(trade('F1', '2024-01-01 10:10:00'));
    const window = hours('2024-01-01 10:00:00', 1);

    await expect(live.extract(window, 'live', onProgress)).rejects.toThrow('broker unavailable');
    const retry = await live.extract(window, 'live', onProgress);
    expect(retry.unchanged).toBe(0);
    expect(sent).toEqual(['F1']);
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  if (!condition()) throw new Error('condition never held');
}
