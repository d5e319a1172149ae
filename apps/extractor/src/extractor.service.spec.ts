import pino from 'pino';
import { Registry } from 'prom-client';
import { extractorEnv, loadEnv } from '@app/config';
import { formatWdtTime, parseWdtTime, type WdtTrade } from '@app/contracts';
import { type OutgoingMessage } from '@app/kafka';
import { settle } from '@app/testing';
import { createMetrics, type Metrics } from '@app/observability';
import { type LeaseGrant } from '@app/persistence';
import { type TradePage, type TradeQuery } from '@app/wdt-client';
import { ExtractorService } from './extractor.service';
import {
  type CheckpointStore,
  type ExtractorConfig,
  type WdtRouteInfo,
  type WindowRunner,
} from './extractor.tokens';
import { RecentlyPublished } from './recently-published';
import { WindowExtractor, type ExtractMode, type RangeResult } from './window-extractor';
import { type TimeWindow } from './window-planner';

const NOW = parseWdtTime('2024-06-18 12:00:00');
const at = (text: string): number => parseWdtTime(text);
const span = (w: TimeWindow): string => `${formatWdtTime(w.startMs)} .. ${formatWdtTime(w.endMs)}`;
const EMPTY: RangeResult = { windows: 0, pages: 0, trades: 0, invalid: 0, rereads: 0, unchanged: 0 };

const configOf = (env: Record<string, string> = {}): ExtractorConfig =>
  loadEnv(extractorEnv, {
    KAFKA_BROKERS: '127.0.0.1:1',
    DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    WDT_BASE_URL: 'http://127.0.0.1:1',
    WDT_SID: 'sid',
    WDT_APP_KEY: 'key',
    WDT_APP_SECRET: 'secret',
    WDT_QIMEN_APP_KEY: 'qkey',
    WDT_QIMEN_APP_SECRET: 'qsecret',
    WDT_TARGET_APP_KEY: 'target',
    INSTANCE_ID: 'extractor-a',
    SAFETY_LAG_SECONDS: '10',
    WINDOW_OVERLAP_SECONDS: '60',
    MAX_WINDOW_SPAN_SECONDS: '3600',
    INITIAL_LOOKBACK_SECONDS: '7200',
    LEASE_TTL_SECONDS: '30',
    ...env,
  });

/** The checkpoint table of one stream, in memory; `events` is shared with the fake extractor. */
class FakeCheckpoints implements CheckpointStore {
  checkpointMs: number | null = null;
  holder: string | null = null;
  /** Set to make every later lease call fail (another instance took over). */
  leaseLost = false;
  /** Set to make the checkpoint write find the lease expired. */
  advanceFails = false;
  leaseCalls = 0;
  released: string[] = [];

  constructor(private readonly events: string[]) {}

  async acquireLease(holder: string, _ttlSeconds: number): Promise<LeaseGrant | null> {
    this.leaseCalls++;
    if (this.leaseLost || (this.holder !== null && this.holder !== holder)) return null;
    this.holder = holder;
    return { checkpointMs: this.checkpointMs };
  }

  async advance(holder: string, checkpointMs: number): Promise<boolean> {
    if (this.leaseLost || this.advanceFails || this.holder !== holder) return false;
    this.events.push(`advance ${formatWdtTime(checkpointMs)}`);
    this.checkpointMs = Math.max(this.checkpointMs ?? checkpointMs, checkpointMs);
    return true;
  }

  async releaseLease(holder: string): Promise<void> {
    this.released.push(holder);
    if (this.holder === holder) this.holder = null;
  }
}

/**
 * A window extractor that "publishes" each window (an event) and then reports the acknowledged
 * prefix, as WindowExtractor does; `failAfter` windows it throws instead.
 */
class FakeWindows implements WindowRunner {
  calls: Array<{ windows: TimeWindow[]; mode: ExtractMode; range: { archiveBeforeMs?: number } }> = [];
  failAfter: number | undefined;
  /** Replaces the publishing loop (e.g. to wait for an abort). */
  run?: (signal: AbortSignal | undefined) => Promise<RangeResult>;
  reportedEnds?: (window: TimeWindow) => number;

  constructor(private readonly events: string[]) {}

  async extract(...args: Parameters<WindowRunner['extract']>): Promise<RangeResult> {
    const [windows, mode, onProgress, signal, range = {}] = args;
    this.calls.push({ windows, mode, range });
    if (this.run) return this.run(signal);
    for (const [index, window] of windows.entries()) {
      if (index === this.failAfter) throw new Error('broker unavailable');
      this.events.push(`published ${span(window)}`);
      await onProgress(this.reportedEnds?.(window) ?? window.endMs);
    }
    return { ...EMPTY, windows: windows.length };
  }
}

function setup(options: { env?: Record<string, string>; wdt?: Partial<WdtRouteInfo> } = {}) {
  const events: string[] = [];
  const logs: Array<{ msg: string }> = [];
  const logger = pino(
    { level: 'warn' },
    { write: (line: string) => logs.push(JSON.parse(line) as { msg: string }) },
  );
  const metrics = createMetrics(new Registry());
  const checkpoints = new FakeCheckpoints(events);
  const windows = new FakeWindows(events);
  const recentlyPublished = new RecentlyPublished();
  const wdt: WdtRouteInfo = { route: 'qimen', serverClockOffsetMs: undefined, ...options.wdt };
  let now = NOW;
  const service = new ExtractorService(
    configOf(options.env),
    () => now,
    wdt,
    checkpoints,
    windows,
    recentlyPublished,
    metrics,
    logger,
  );
  const setNow = (ms: number) => (now = ms);
  return { service, checkpoints, windows, events, logs, metrics, recentlyPublished, setNow };
}

const gauge = async (metrics: Metrics, name: 'extractorCheckpoint' | 'extractorLag') =>
  (await metrics[name].get()).values[0]?.value;

describe('ExtractorService: the lease', () => {
  it('stands by while another instance holds the lease: nothing is read, nothing moves', async () => {
    const { service, checkpoints, windows } = setup();
    checkpoints.holder = 'extractor-b';
    checkpoints.checkpointMs = at('2024-06-18 11:00:00');

    expect(await service.runCycle()).toEqual({ kind: 'standby' });
    expect(windows.calls).toEqual([]);
    expect(checkpoints.checkpointMs).toBe(at('2024-06-18 11:00:00'));
  });

  it('releases the lease under its own holder id', async () => {
    const { service, checkpoints } = setup();
    await service.runCycle();
    await service.releaseLease();
    expect(service.holder).toBe('extractor-a');
    expect(checkpoints.released).toEqual(['extractor-a']);
    expect(checkpoints.holder).toBeNull();
  });

  it('aborts the running cycle when a renewal finds the lease taken over', async () => {
    const { service, checkpoints, windows } = setup({ env: { LEASE_TTL_SECONDS: '2' } });
    checkpoints.checkpointMs = at('2024-06-18 11:00:00');
    windows.run = (signal) =>
      new Promise((_, reject) => {
        checkpoints.leaseLost = true;
        signal!.addEventListener('abort', () => reject(signal!.reason as Error));
      });

    await expect(service.runCycle()).rejects.toThrow(
      'the extractor lease was taken over by another instance',
    );
    expect(checkpoints.leaseCalls).toBe(2);
    expect(checkpoints.checkpointMs).toBe(at('2024-06-18 11:00:00'));
  });

  it('fails the cycle when the checkpoint write finds the lease lost, leaving the checkpoint where it was', async () => {
    const { service, checkpoints } = setup();
    checkpoints.checkpointMs = at('2024-06-18 11:00:00');
    checkpoints.advanceFails = true;

    await expect(service.runCycle()).rejects.toThrow(
      'the extractor lease was taken over by another instance',
    );
    expect(checkpoints.checkpointMs).toBe(at('2024-06-18 11:00:00'));
  });
});

describe('ExtractorService: windows from the checkpoint', () => {
  it('starts the first window an overlap before the checkpoint and ends the last a safety lag before now', async () => {
    const { service, checkpoints, windows } = setup();
    checkpoints.checkpointMs = at('2024-06-18 11:30:00');

    expect(await service.runCycle()).toEqual({ kind: 'extracted', ...EMPTY, windows: 1 });
    expect(windows.calls).toHaveLength(1);
    expect(windows.calls[0].mode).toBe('live');
    expect(windows.calls[0].windows.map(span)).toEqual(['2024-06-18 11:29:01 .. 2024-06-18 11:59:50']);
    expect(checkpoints.checkpointMs).toBe(at('2024-06-18 11:59:50'));
  });

  it('catches up from a checkpoint far back in max-span windows, the first one overlapping', async () => {
    const { service, checkpoints, windows } = setup();
    checkpoints.checkpointMs = at('2024-06-18 09:00:00');

    await service.runCycle();
    expect(windows.calls[0].windows.map(span)).toEqual([
      '2024-06-18 08:59:01 .. 2024-06-18 09:59:00',
      '2024-06-18 09:59:01 .. 2024-06-18 10:59:00',
      '2024-06-18 10:59:01 .. 2024-06-18 11:59:00',
      '2024-06-18 11:59:01 .. 2024-06-18 11:59:50',
    ]);
  });

  it('without a checkpoint starts INITIAL_LOOKBACK_SECONDS back, or at INITIAL_CHECKPOINT when set', async () => {
    const lookback = setup();
    await lookback.service.runCycle();
    expect(span(lookback.windows.calls[0].windows[0])).toBe('2024-06-18 09:59:01 .. 2024-06-18 10:59:00');

    const initial = setup({ env: { INITIAL_CHECKPOINT: '2024-06-18 11:40:00' } });
    await initial.service.runCycle();
    expect(initial.windows.calls[0].windows.map(span)).toEqual([
      '2024-06-18 11:39:01 .. 2024-06-18 11:59:50',
    ]);
  });

  it('a stored checkpoint wins over INITIAL_CHECKPOINT', async () => {
    const { service, checkpoints, windows } = setup({ env: { INITIAL_CHECKPOINT: '2024-06-01 00:00:00' } });
    checkpoints.checkpointMs = at('2024-06-18 11:50:00');
    await service.runCycle();
    expect(windows.calls[0].windows.map(span)).toEqual(['2024-06-18 11:49:01 .. 2024-06-18 11:59:50']);
  });

  it('is caught up when the checkpoint is a safety lag (or less) before now: nothing is read', async () => {
    const { service, checkpoints, windows } = setup({ env: { WINDOW_OVERLAP_SECONDS: '0' } });
    checkpoints.checkpointMs = at('2024-06-18 11:59:50');

    expect(await service.runCycle()).toEqual({ kind: 'caught_up' });
    expect(windows.calls).toEqual([]);
  });

  it("plans on WDT's clock when this host's runs ahead, and says so once", async () => {
    const { service, checkpoints, windows, logs } = setup({ wdt: { serverClockOffsetMs: -120_000 } });
    checkpoints.checkpointMs = at('2024-06-18 11:50:00');

    await service.runCycle();
    await service.runCycle();
    expect(windows.calls[0].windows.map(span)).toEqual(['2024-06-18 11:49:01 .. 2024-06-18 11:57:50']);
    expect(logs.filter((l) => l.msg.includes("clock runs ahead of WDT's"))).toHaveLength(1);
  });

  it('ignores a WDT clock less than a second behind', async () => {
    const { service, checkpoints, windows } = setup({ wdt: { serverClockOffsetMs: -999 } });
    checkpoints.checkpointMs = at('2024-06-18 11:50:00');
    await service.runCycle();
    expect(windows.calls[0].windows.map(span)).toEqual(['2024-06-18 11:49:01 .. 2024-06-18 11:59:50']);
  });
});

describe('ExtractorService: the checkpoint moves only after publishing', () => {
  it('advances after each acknowledged prefix, never before its window was published', async () => {
    const { service, checkpoints, events } = setup();
    checkpoints.checkpointMs = at('2024-06-18 10:30:00');

    await service.runCycle();
    expect(events).toEqual([
      'published 2024-06-18 10:29:01 .. 2024-06-18 11:29:00',
      'advance 2024-06-18 11:29:00',
      'published 2024-06-18 11:29:01 .. 2024-06-18 11:59:50',
      'advance 2024-06-18 11:59:50',
    ]);
  });

  it('a failed publish ends the cycle with the checkpoint at the last acknowledged window', async () => {
    const { service, checkpoints, windows, events } = setup();
    checkpoints.checkpointMs = at('2024-06-18 09:30:00');
    windows.failAfter = 1;

    await expect(service.runCycle()).rejects.toThrow('broker unavailable');
    expect(events).toEqual([
      'published 2024-06-18 09:29:01 .. 2024-06-18 10:29:00',
      'advance 2024-06-18 10:29:00',
    ]);
    expect(checkpoints.checkpointMs).toBe(at('2024-06-18 10:29:00'));
  });

  it("never moves past WDT's now minus the safety lag, in whole seconds", async () => {
    const { service, checkpoints, windows, setNow } = setup();
    checkpoints.checkpointMs = at('2024-06-18 11:50:00');
    // the clock moved back (or WDT's is behind) while the window ran; the reported end has milliseconds
    windows.reportedEnds = () => {
      setNow(at('2024-06-18 11:58:00') + 500);
      return at('2024-06-18 11:59:50');
    };

    await service.runCycle();
    expect(checkpoints.checkpointMs).toBe(at('2024-06-18 11:57:50'));
  });

  it('forgets published trades that no later window reads again', async () => {
    const { service, checkpoints, recentlyPublished } = setup();
    checkpoints.checkpointMs = at('2024-06-18 11:50:00');
    recentlyPublished.remember('JY-OLD', at('2024-06-18 11:58:50'), 'd1');
    recentlyPublished.remember('JY-EDGE', at('2024-06-18 11:58:51'), 'd2');

    await service.runCycle();
    // the next first window starts at 11:59:50 + 1 s − 60 s overlap = 11:58:51
    expect(recentlyPublished.has('JY-OLD', 'd1')).toBe(false);
    expect(recentlyPublished.has('JY-EDGE', 'd2')).toBe(true);
  });

  it('reports the checkpoint and the lag as gauges', async () => {
    const { service, checkpoints, metrics, setNow } = setup();
    checkpoints.checkpointMs = at('2024-06-18 11:50:00');

    await service.runCycle();
    expect(await gauge(metrics, 'extractorCheckpoint')).toBe(at('2024-06-18 11:59:50') / 1000);
    expect(await gauge(metrics, 'extractorLag')).toBe(10);
    setNow(NOW + 30_000);
    service.observe();
    expect(await gauge(metrics, 'extractorLag')).toBe(40);
  });
});

describe('ExtractorService with the real WindowExtractor', () => {
  it('the checkpoint waits for Kafka to acknowledge the page', async () => {
    const events: string[] = [];
    const checkpoints = new FakeCheckpoints(events);
    checkpoints.checkpointMs = at('2024-06-18 11:50:00');
    const trade = { trade_no: 'JY-1', modified: '2024-06-18 11:55:00' } as WdtTrade;
    const source = {
      queryTrades: async (query: TradeQuery): Promise<TradePage> => ({
        pageNo: query.pageNo!,
        pageSize: query.pageSize!,
        totalCount: 1,
        trades: [trade],
        sent: [trade],
        invalid: [],
      }),
    };
    let acknowledge!: () => void;
    const sink = {
      send: (_topic: string, messages: OutgoingMessage[]) => {
        events.push(`sent ${messages.map((m) => String(m.key)).join(',')}`);
        return new Promise<void>((resolve) => (acknowledge = resolve));
      },
    };
    const config = configOf({ WINDOW_REREAD_ATTEMPTS: '1' });
    const metrics = createMetrics(new Registry());
    const logger = pino({ level: 'silent' });
    const recentlyPublished = new RecentlyPublished();
    const extractor = new WindowExtractor(
      source,
      sink,
      { rawTopic: 'raw', pageSize: 10, windowConcurrency: 1, pageConcurrency: 1, rereadAttempts: 1 },
      metrics,
      logger,
    );
    const wdt: WdtRouteInfo = { route: 'qimen', serverClockOffsetMs: undefined };
    const service = new ExtractorService(
      config,
      () => NOW,
      wdt,
      checkpoints,
      extractor,
      recentlyPublished,
      metrics,
      logger,
    );

    const cycle = service.runCycle();
    while (acknowledge === undefined) await new Promise((resolve) => setImmediate(resolve));
    await settle();
    expect(events).toEqual(['sent JY-1']);
    acknowledge();
    await cycle;
    expect(events).toEqual(['sent JY-1', 'advance 2024-06-18 11:59:50']);
  });
});

describe('ExtractorService: backfill', () => {
  it('re-reads the range in max-span windows and never touches the lease or the live checkpoint', async () => {
    const { service, checkpoints, windows, events } = setup();
    checkpoints.checkpointMs = at('2024-06-18 11:00:00');

    const result = await service.backfill(at('2024-06-17 10:00:00'), at('2024-06-17 11:30:00'));
    expect(result).toEqual({ ...EMPTY, windows: 2 });
    expect(windows.calls).toEqual([
      {
        mode: 'backfill',
        range: {},
        windows: [
          { startMs: at('2024-06-17 10:00:00'), endMs: at('2024-06-17 10:59:59') },
          { startMs: at('2024-06-17 11:00:00'), endMs: at('2024-06-17 11:30:00') },
        ],
      },
    ]);
    expect(events.filter((e) => e.startsWith('advance'))).toEqual([]);
    expect(checkpoints.leaseCalls).toBe(0);
    expect(checkpoints.checkpointMs).toBe(at('2024-06-18 11:00:00'));
  });

  it('reads windows older than the archive horizon from the archive on the open API route', async () => {
    const { service, windows, logs } = setup({ wdt: { route: 'openapi' } });
    await service.backfill(at('2024-01-01 00:00:00'), at('2024-01-01 00:30:00'));
    expect(windows.calls[0].range).toEqual({ archiveBeforeMs: NOW - 90 * 86_400_000 });
    expect(logs.map((l) => l.msg)).toContain(
      'part of the range is older than the archive horizon: those windows read his_trade_query.php',
    );
  });

  it('warns that the Qimen route has no archive, and reads the live method', async () => {
    const { service, windows, logs } = setup();
    await service.backfill(at('2024-01-01 00:00:00'), at('2024-01-01 00:30:00'));
    expect(windows.calls[0].range).toEqual({});
    expect(logs.map((l) => l.msg)).toContain(
      'part of the range is older than the archive horizon: the Qimen route has no archive method, archived orders may be missing (use WDT_ROUTE=openapi)',
    );
  });

  it('a recent range on the open API route reads the live method without a warning', async () => {
    const { service, windows, logs } = setup({ wdt: { route: 'openapi' } });
    await service.backfill(at('2024-06-17 00:00:00'), at('2024-06-17 00:30:00'));
    expect(windows.calls[0].range).toEqual({});
    expect(logs.map((l) => l.msg).filter((m) => m.includes('archive'))).toEqual([]);
  });
});

describe('ExtractorService: the open API route', () => {
  it('warns at start that trade_query.php leaves Taobao/Tmall and 系统供销 orders out', () => {
    const { logs } = setup({ wdt: { route: 'openapi' } });
    expect(logs.map((l) => l.msg)).toEqual([
      'WDT_ROUTE=openapi: trade_query.php does not return 淘系 (Taobao/Tmall) or 系统供销 orders; use WDT_ROUTE=qimen for those shops',
    ]);
    expect(setup().logs).toEqual([]);
  });
});
