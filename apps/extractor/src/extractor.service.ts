import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, METRICS, type Logger, type Metrics } from '@app/observability';
import { formatWdtTime } from '@app/contracts';
import { WdtClient } from '@app/wdt-client';
import {
  EXTRACTOR_CHECKPOINTS,
  EXTRACTOR_CLOCK,
  EXTRACTOR_CONFIG,
  instanceId,
  parseInitialCheckpoint,
  WINDOW_EXTRACTOR,
  type CheckpointStore,
  type Clock,
  type ExtractorConfig,
  type WdtRouteInfo,
  type WindowRunner,
} from './extractor.tokens';
import { RecentlyPublished } from './recently-published';
import { type RangeResult } from './window-extractor';
import { planRange, planWindows } from './window-planner';

export type CycleOutcome =
  { kind: 'standby' } | { kind: 'caught_up' } | ({ kind: 'extracted' } & RangeResult);

class LeaseLostError extends Error {
  constructor() {
    super('the extractor lease was taken over by another instance');
  }
}

/**
 * One poll cycle: take (or renew) the lease, plan windows from the checkpoint, extract them and move
 * the checkpoint forward after every acknowledged prefix. Also the backfill of a past range, which
 * never touches the live checkpoint.
 */
@Injectable()
export class ExtractorService {
  readonly holder: string;

  constructor(
    @Inject(EXTRACTOR_CONFIG) private readonly config: ExtractorConfig,
    @Inject(EXTRACTOR_CLOCK) private readonly clock: Clock,
    @Inject(WdtClient) private readonly wdt: WdtRouteInfo,
    @Inject(EXTRACTOR_CHECKPOINTS) private readonly checkpoints: CheckpointStore,
    @Inject(WINDOW_EXTRACTOR) private readonly extractor: WindowRunner,
    @Inject(RecentlyPublished) private readonly recentlyPublished: RecentlyPublished,
    @Inject(METRICS) private readonly metrics: Metrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.holder = instanceId(config);
    if (wdt.route === 'openapi')
      // official doc page of trade_query.php: the native route leaves these orders out
      logger.warn(
        { route: 'openapi' },
        'WDT_ROUTE=openapi: trade_query.php does not return 淘系 (Taobao/Tmall) or 系统供销 orders; use WDT_ROUTE=qimen for those shops',
      );
  }

  get checkpointRepository(): CheckpointStore {
    return this.checkpoints;
  }

  async runCycle(signal?: AbortSignal): Promise<CycleOutcome> {
    const ttl = this.config.LEASE_TTL_SECONDS;
    const grant = await this.checkpoints.acquireLease(this.holder, ttl);
    if (!grant) return { kind: 'standby' };
    const initial = parseInitialCheckpoint(this.config);
    const checkpointMs =
      grant.checkpointMs ??
      (typeof initial === 'number' ? initial : this.clock() - this.config.INITIAL_LOOKBACK_SECONDS * 1000);
    this.observe(checkpointMs);
    const windows = planWindows({
      checkpointMs,
      nowMs: this.sourceNow(),
      overlapSeconds: this.config.WINDOW_OVERLAP_SECONDS,
      safetyLagSeconds: this.config.SAFETY_LAG_SECONDS,
      maxSpanSeconds: this.config.MAX_WINDOW_SPAN_SECONDS,
    });
    if (windows.length === 0) return { kind: 'caught_up' };

    // keep the lease while the cycle runs; losing it aborts the cycle (writes are fenced anyway)
    const lost = new AbortController();
    const abort = signal ? AbortSignal.any([signal, lost.signal]) : lost.signal;
    const renew = setInterval(
      () => {
        this.checkpoints
          .acquireLease(this.holder, ttl)
          .then((renewed) => {
            if (!renewed) lost.abort(new LeaseLostError());
          })
          .catch((error: unknown) => this.logger.warn({ err: error }, 'extractor lease renewal failed'));
      },
      Math.max(500, (ttl * 1000) / 3),
    );
    try {
      this.logger.info(
        {
          from: formatWdtTime(windows[0].startMs),
          to: formatWdtTime(windows[windows.length - 1].endMs),
          windows: windows.length,
        },
        'extractor cycle started',
      );
      const result = await this.extractor.extract(
        windows,
        'live',
        async (endMs) => {
          // the first answers may show that our clock runs ahead of WDT's: never past WDT's now − lag
          const ms = Math.min(endMs, this.sourceNow() - this.config.SAFETY_LAG_SECONDS * 1000);
          const checkpointMs = Math.floor(ms / 1000) * 1000;
          if (!(await this.checkpoints.advance(this.holder, checkpointMs))) throw new LeaseLostError();
          // the next cycle starts its first window here: nothing modified before it is read again
          this.recentlyPublished.forgetBefore(
            checkpointMs + 1000 - this.config.WINDOW_OVERLAP_SECONDS * 1000,
          );
          this.observe(ms);
        },
        abort,
      );
      this.logger.info(
        { ...result, checkpoint: formatWdtTime(windows[windows.length - 1].endMs) },
        'extractor cycle done',
      );
      return { kind: 'extracted', ...result };
    } finally {
      clearInterval(renew);
    }
  }

  /**
   * "Now" for planning: our clock, held back to WDT's when ours runs ahead (WDT stamps `modified`
   * with its clock; a checkpoint past WDT's now would skip the trades modified in between).
   */
  private sourceNow(): number {
    const local = this.clock();
    const offset = this.wdt.serverClockOffsetMs;
    if (offset === undefined || offset > -1000) return local;
    if (!this.skewWarned) {
      this.skewWarned = true;
      this.logger.warn(
        { aheadSeconds: Math.round(-offset / 1000) },
        "this host's clock runs ahead of WDT's: windows end at WDT's time",
      );
    }
    return local + offset;
  }

  private skewWarned = false;

  /** Re-reads [fromMs, toMs] and publishes it again; the live checkpoint does not move. */
  async backfill(fromMs: number, toMs: number, signal?: AbortSignal): Promise<RangeResult> {
    const windows = planRange(fromMs, toMs, this.config.MAX_WINDOW_SPAN_SECONDS);
    this.logger.info(
      { from: formatWdtTime(fromMs), to: formatWdtTime(toMs), windows: windows.length },
      'backfill started',
    );
    // older than the archive horizon: the native route serves those orders from his_trade_query.php
    const archiveBeforeMs = this.clock() - this.config.WDT_ARCHIVE_AFTER_DAYS * 86_400_000;
    const archived = this.wdt.route === 'openapi' && fromMs < archiveBeforeMs;
    if (fromMs < archiveBeforeMs)
      this.logger.warn(
        { archiveAfterDays: this.config.WDT_ARCHIVE_AFTER_DAYS, route: this.wdt.route },
        archived
          ? 'part of the range is older than the archive horizon: those windows read his_trade_query.php'
          : 'part of the range is older than the archive horizon: the Qimen route has no archive method, archived orders may be missing (use WDT_ROUTE=openapi)',
      );
    const result = await this.extractor.extract(
      windows,
      'backfill',
      async () => undefined,
      signal,
      archived ? { archiveBeforeMs } : {},
    );
    this.logger.info(result, 'backfill done');
    return result;
  }

  async releaseLease(): Promise<void> {
    await this.checkpoints.releaseLease(this.holder);
  }

  /** Updates the checkpoint and lag gauges (lag also between cycles). */
  observe(checkpointMs?: number): void {
    if (checkpointMs !== undefined) this.lastCheckpointMs = checkpointMs;
    if (this.lastCheckpointMs === undefined) return;
    this.metrics.extractorCheckpoint.set(this.lastCheckpointMs / 1000);
    this.metrics.extractorLag.set(Math.max(0, (this.clock() - this.lastCheckpointMs) / 1000));
  }

  private lastCheckpointMs: number | undefined;
}
