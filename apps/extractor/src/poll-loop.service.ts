import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { HealthRegistry, LOGGER, type Logger } from '@app/observability';
import { ExtractorService } from './extractor.service';
import { EXTRACTOR_CONFIG, type ExtractorConfig } from './extractor.tokens';
import { isStopError } from './window-extractor';

export const POLL_INTERVAL_NAME = 'extractor-poll';
export const POLL_ENABLED = Symbol('POLL_ENABLED');

/**
 * The scheduled poll loop: one cycle at a time every POLL_INTERVAL_SECONDS. A retriable failure
 * ends the cycle and the next tick resumes from the checkpoint; a fatal one (bad credentials,
 * rejected parameters) removes the interval, turns /health/ready red with the cause and waits for
 * an operator: no spinning.
 */
@Injectable()
export class PollLoop implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  ticks = 0;
  cycles = 0;
  standbyCycles = 0;
  fatal: string | undefined;
  private running: Promise<void> | undefined;
  private readonly stopping = new AbortController();

  constructor(
    private readonly extractor: ExtractorService,
    private readonly scheduler: SchedulerRegistry,
    private readonly health: HealthRegistry,
    @Inject(EXTRACTOR_CONFIG) private readonly config: ExtractorConfig,
    @Inject(POLL_ENABLED) private readonly enabled: boolean,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.health.register({
      name: 'wdt-source',
      check: () => (this.fatal ? { ok: false, detail: this.fatal } : { ok: true }),
    });
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    const interval = setInterval(() => this.tick(), this.config.POLL_INTERVAL_SECONDS * 1000);
    this.scheduler.addInterval(POLL_INTERVAL_NAME, interval);
    this.tick();
  }

  /** Starts a cycle unless one is running (or the loop stopped). */
  tick(): void {
    this.ticks++;
    this.extractor.observe();
    if (this.running || this.fatal || this.stopping.signal.aborted) return;
    this.running = this.cycle().finally(() => (this.running = undefined));
  }

  /** Resolves when the current cycle (if any) has ended. */
  async idle(): Promise<void> {
    await this.running;
  }

  private async cycle(): Promise<void> {
    try {
      const outcome = await this.extractor.runCycle(this.stopping.signal);
      this.cycles++;
      if (outcome.kind === 'standby') {
        this.standbyCycles++;
        this.logger.debug({ holder: this.extractor.holder }, 'another extractor holds the lease');
      }
    } catch (error) {
      if (this.stopping.signal.aborted) return;
      if (isStopError(error)) {
        this.fatal = error.message;
        this.stop();
        this.logger.error(
          { reason: error.reason, code: error.code, cause: error.message },
          'extractor stopped: operator action needed',
        );
        await this.extractor.releaseLease().catch(() => undefined);
        return;
      }
      this.logger.warn({ err: error }, 'extractor cycle failed: the next poll resumes from the checkpoint');
    }
  }

  private stop(): void {
    if (this.scheduler.doesExist('interval', POLL_INTERVAL_NAME))
      this.scheduler.deleteInterval(POLL_INTERVAL_NAME);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stop();
    this.stopping.abort(new Error('shutting down'));
    await this.running;
    if (this.enabled) await this.extractor.releaseLease().catch(() => undefined);
  }
}
