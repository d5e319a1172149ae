import { randomUUID } from 'node:crypto';
import { type Logger } from 'pino';
import {
  deadLetterTopic,
  FatalError,
  Headers,
  NonRetriableError,
  RetriableError,
  SOURCE_SYSTEM_WDT,
  type WdtTrade,
  formatWdtTime,
  parseWdtTime,
  tryParseWdtTime,
  wdtTimeToIso,
} from '@app/contracts';
import { deadLetterHeaders, type OutgoingMessage } from '@app/kafka';
import { type Metrics } from '@app/observability';
import { backoffDelay, sleep, workerPool } from '@app/runtime';
import { type InvalidTrade, type TradePage, type TradeQuery } from '@app/wdt-client';
import { RecentlyPublished } from './recently-published';
import { UnackedBudget } from './unacked-budget';
import { type TimeWindow } from './window-planner';

/** Default of `maxUnackedTrades`: 20 full pages, a few MiB of JSON. */
export const DEFAULT_MAX_UNACKED_TRADES = 2000;

/** Schema version of `erp.wdt.trade.raw.v1` payloads (the WDT trade as WDT sends it). */
export const RAW_TRADE_SCHEMA_VERSION = '1';

export interface TradeSource {
  queryTrades(query: TradeQuery): Promise<TradePage>;
}

/** Resolves when Kafka acknowledged every message (BatchingProducer). */
export interface MessageSink {
  send(topic: string, messages: OutgoingMessage[]): Promise<void>;
}

export interface WindowExtractorOptions {
  rawTopic: string;
  pageSize: number;
  status?: number;
  windowConcurrency: number;
  pageConcurrency: number;
  rereadAttempts: number;
  /** Trades fetched and not yet acknowledged by Kafka, across all windows, before fetching waits. */
  maxUnackedTrades?: number;
  /** Live mode: trades whose exact payload Kafka acknowledged before are not sent again. */
  recentlyPublished?: RecentlyPublished;
  /** Attempts per page for transport/5xx failures before the cycle gives up (a 1012 waits and retries). */
  pageAttempts?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
}

export type ExtractMode = 'live' | 'backfill';

export interface RangeResult {
  windows: number;
  pages: number;
  trades: number;
  invalid: number;
  rereads: number;
  /** Trades read again and not sent: their payload was acknowledged before (live mode). */
  unchanged: number;
}

/**
 * Reads windows of WDT trades and publishes them: every page of a window, a re-read when the window
 * changed while paging (total_count moved, or fewer distinct trades than total_count), each trade to
 * the raw topic keyed by trade_no, each invalid trade to the DLQ with its reason. Several windows are
 * read at once so that a page waiting out a 1012 does not stall the quota; `onProgress` gets the end
 * of the longest fully acknowledged prefix of windows: the only safe checkpoint.
 */
export class WindowExtractor {
  private readonly dlqTopic: string;
  private readonly unacked: UnackedBudget;

  constructor(
    private readonly source: TradeSource,
    private readonly sink: MessageSink,
    private readonly options: WindowExtractorOptions,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    this.dlqTopic = deadLetterTopic(options.rawTopic);
    this.unacked = new UnackedBudget(options.maxUnackedTrades ?? DEFAULT_MAX_UNACKED_TRADES);
  }

  async extract(
    windows: TimeWindow[],
    mode: ExtractMode,
    onProgress: (checkpointMs: number) => Promise<void>,
    signal?: AbortSignal,
    range: { archiveBeforeMs?: number } = {},
  ): Promise<RangeResult> {
    const total: RangeResult = { windows: 0, pages: 0, trades: 0, invalid: 0, rereads: 0, unchanged: 0 };
    const done = new Array<boolean>(windows.length).fill(false);
    let prefix = 0;
    let progress = Promise.resolve();
    await workerPool(
      windows.map((window, index) => ({ window, index })),
      this.options.windowConcurrency,
      async ({ window, index }) => {
        signal?.throwIfAborted();
        // a window wholly older than the archive horizon is read from WDT's archive
        const archive = range.archiveBeforeMs !== undefined && window.endMs < range.archiveBeforeMs;
        const result = await this.extractWindow(window, mode, signal, archive);
        total.windows++;
        total.pages += result.pages;
        total.trades += result.trades;
        total.invalid += result.invalid;
        total.rereads += result.rereads;
        total.unchanged += result.unchanged;
        done[index] = true;
        const before = prefix;
        while (prefix < windows.length && done[prefix]) prefix++;
        if (prefix > before) {
          const checkpointMs = windows[prefix - 1].endMs;
          progress = progress.then(() => onProgress(checkpointMs));
          await progress;
        }
      },
    );
    await progress;
    return total;
  }

  /** One window, re-read while it changes under the pages; split in halves when it never settles. */
  async extractWindow(
    window: TimeWindow,
    mode: ExtractMode,
    signal?: AbortSignal,
    archive = false,
  ): Promise<Omit<RangeResult, 'windows'>> {
    let pages = 0;
    let trades = 0;
    let invalid = 0;
    let unchanged = 0;
    for (let attempt = 1; attempt <= this.options.rereadAttempts; attempt++) {
      const pass = await this.readOnce(window, mode, signal, archive);
      pages += pass.pages;
      trades += pass.trades;
      invalid += pass.invalid;
      unchanged += pass.unchanged;
      if (pass.stable) {
        this.metrics.extractorWindows.inc({ mode });
        return { pages, trades, invalid, rereads: attempt - 1, unchanged };
      }
      this.logger.info(
        { start: formatWdtTime(window.startMs), end: formatWdtTime(window.endMs), attempt, reason: pass.why },
        'window changed while paging: re-reading it',
      );
    }
    if (window.endMs > window.startMs) {
      const middle = window.startMs + Math.floor((window.endMs - window.startMs) / 2000) * 1000;
      this.logger.warn(
        { start: formatWdtTime(window.startMs), end: formatWdtTime(window.endMs) },
        'window never settled: splitting it in halves',
      );
      const left = await this.extractWindow(
        { startMs: window.startMs, endMs: middle },
        mode,
        signal,
        archive,
      );
      const right = await this.extractWindow(
        { startMs: middle + 1000, endMs: window.endMs },
        mode,
        signal,
        archive,
      );
      return {
        pages: pages + left.pages + right.pages,
        trades: trades + left.trades + right.trades,
        invalid: invalid + left.invalid + right.invalid,
        rereads: this.options.rereadAttempts + left.rereads + right.rereads,
        unchanged: unchanged + left.unchanged + right.unchanged,
      };
    }
    throw new RetriableError(`the window ${formatWdtTime(window.startMs)} kept changing while paging`, {
      reason: 'window_unstable',
    });
  }

  /** Reads every page of a window once and publishes what it got (acknowledged when it returns). */
  private async readOnce(window: TimeWindow, mode: ExtractMode, signal?: AbortSignal, archive = false) {
    const query: TradeQuery = {
      startTime: formatWdtTime(window.startMs),
      endTime: formatWdtTime(window.endMs),
      status: this.options.status,
      pageSize: this.options.pageSize,
      ...(archive ? { archive: true } : {}),
    };
    const publishing: Promise<void>[] = [];
    const seen = new Set<string>();
    let trades = 0;
    let invalid = 0;
    let unchanged = 0;
    const take = (page: TradePage, reserved: number) => {
      this.metrics.extractorPages.inc();
      this.metrics.extractorTradesFetched.inc(page.trades.length + page.invalid.length);
      trades += page.trades.length;
      invalid += page.invalid.length;
      for (const trade of page.trades) seen.add(trade.trade_no);
      page.invalid.forEach((bad, index) => seen.add(bad.tradeNo ?? `#invalid-${page.pageNo}-${index}`));
      const publication = this.publish(page, mode);
      unchanged += publication.unchanged;
      publishing.push(publication.acknowledged.finally(() => this.unacked.release(reserved)));
    };
    /** A page is fetched only when the trades it may hold fit in the unacknowledged budget. */
    const fetchAndTake = async (pageNo: number): Promise<TradePage> => {
      const reserved = await this.unacked.acquire(this.options.pageSize, signal);
      let page: TradePage;
      try {
        page = await this.fetchPage({ ...query, pageNo }, signal);
      } catch (error) {
        this.unacked.release(reserved);
        throw error;
      }
      take(page, reserved);
      return page;
    };
    try {
      const first = await fetchAndTake(0);
      const pageCount = Math.ceil(first.totalCount / this.options.pageSize);
      const rest = Array.from({ length: Math.max(0, pageCount - 1) }, (_, i) => i + 1);
      let why: string | undefined;
      await workerPool(rest, this.options.pageConcurrency, async (pageNo) => {
        const page = await fetchAndTake(pageNo);
        if (page.totalCount !== first.totalCount)
          why ??= `total_count ${first.totalCount} → ${page.totalCount}`;
      });
      if (!why && seen.size !== first.totalCount)
        why = `${seen.size} distinct trades for total_count ${first.totalCount}`;
      await Promise.all(publishing);
      return {
        stable: why === undefined,
        why,
        pages: pageCount === 0 ? 1 : pageCount,
        trades,
        invalid,
        unchanged,
      };
    } catch (error) {
      await Promise.allSettled(publishing);
      throw error;
    }
  }

  private async fetchPage(query: TradeQuery, signal?: AbortSignal): Promise<TradePage> {
    const maxAttempts = this.options.pageAttempts ?? 8;
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      try {
        return await this.source.queryTrades(query);
      } catch (error) {
        if (!(error instanceof RetriableError)) throw error;
        const rateLimited = error.reason === 'rate_limited';
        if (!rateLimited && attempt >= maxAttempts) throw error;
        if (rateLimited && attempt >= maxAttempts * 4) throw error;
        const delay =
          error.retryAfterMs ??
          backoffDelay(attempt, {
            initialMs: this.options.retryInitialMs ?? 500,
            maxMs: this.options.retryMaxMs ?? 30_000,
            jitter: 'equal',
          });
        this.logger.warn(
          {
            reason: error.reason,
            code: error.code,
            attempt,
            delayMs: delay,
            start: query.startTime,
            page: query.pageNo,
          },
          'WDT call failed: retrying the page later',
        );
        await sleep(delay, signal);
      }
    }
  }

  /** Sends a page; `unchanged` trades were skipped (live mode: the same payload was acknowledged before). */
  private publish(page: TradePage, mode: ExtractMode): { acknowledged: Promise<void>; unchanged: number } {
    const recent = mode === 'live' ? this.options.recentlyPublished : undefined;
    const sends: Promise<void>[] = [];
    const outgoing: Array<{ trade: WdtTrade; message: OutgoingMessage; digest?: string }> = [];
    let unchanged = 0;
    for (const [index, trade] of page.trades.entries()) {
      const message = this.message(trade, page.sent[index] ?? trade);
      const digest = recent && RecentlyPublished.digest(message.value);
      if (recent && digest && recent.has(trade.trade_no, digest)) unchanged++;
      else outgoing.push({ trade, message, digest });
    }
    if (unchanged > 0) this.metrics.extractorTradesUnchanged.inc(unchanged);
    if (outgoing.length > 0)
      sends.push(
        this.sink
          .send(
            this.options.rawTopic,
            outgoing.map((entry) => entry.message),
          )
          .then(() => {
            // only what Kafka acknowledged may be skipped later
            for (const { trade, digest } of outgoing)
              if (recent && digest) recent.remember(trade.trade_no, parseWdtTime(trade.modified), digest);
          }),
      );
    if (page.invalid.length > 0) {
      sends.push(
        this.sink.send(
          this.dlqTopic,
          page.invalid.map((bad) => this.deadLetter(bad, page)),
        ),
      );
      this.metrics.deadLetters.inc(
        { topic: this.options.rawTopic, reason: 'invalid_trade' },
        page.invalid.length,
      );
      for (const bad of page.invalid) {
        this.logger.warn(
          { tradeNo: bad.tradeNo, modified: bad.modified, reason: bad.reason },
          'invalid WDT trade dead-lettered',
        );
      }
    }
    return { acknowledged: Promise.all(sends).then(() => undefined), unchanged };
  }

  /** `trade` parsed (its key and times), `sent` exactly as WDT sent it: the raw topic's value. */
  private message(trade: WdtTrade, sent: unknown): OutgoingMessage {
    return {
      key: trade.trade_no,
      value: JSON.stringify(sent),
      headers: {
        [Headers.sourceModified]: wdtTimeToIso(trade.modified),
        [Headers.correlationId]: randomUUID(),
        [Headers.schemaVersion]: RAW_TRADE_SCHEMA_VERSION,
        [Headers.sourceSystem]: SOURCE_SYSTEM_WDT,
      },
    };
  }

  private deadLetter(bad: InvalidTrade, page: TradePage): OutgoingMessage {
    const headers: Record<string, string> = {
      [Headers.dlqHop]: 'extractor',
      [Headers.dlqSourcePosition]: `page ${page.pageNo} position ${bad.position}`,
      [Headers.correlationId]: randomUUID(),
      [Headers.schemaVersion]: RAW_TRADE_SCHEMA_VERSION,
      [Headers.sourceSystem]: SOURCE_SYSTEM_WDT,
      ...deadLetterHeaders({
        topic: this.options.rawTopic,
        errorClass: 'WdtTradeParseError',
        errorMessage: bad.reason,
        reason: 'invalid_trade',
        attempts: 1,
      }),
      [Headers.dlqErrorDetail]: bad.problemReason,
    };
    if (bad.modified && tryParseWdtTime(bad.modified) !== undefined)
      headers[Headers.sourceModified] = wdtTimeToIso(bad.modified);
    return { key: bad.tradeNo, value: JSON.stringify(bad.raw), headers };
  }
}

/** Errors that stop the extractor until an operator acts (bad credentials, rejected parameters). */
export const isStopError = (error: unknown): error is FatalError | NonRetriableError =>
  error instanceof FatalError || error instanceof NonRetriableError;
