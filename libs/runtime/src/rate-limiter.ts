import { sleptUntil, systemClock, type Clock } from './clock';

/**
 * The client-side quota of an HTTP client: `acquire` before each call (callers are served in
 * arrival order), then report how the call went so the limiter can adapt its pace.
 */
export interface RateLimiter {
  /** Resolves when the caller may start one call. */
  acquire(): Promise<void>;
  /** A call went through: recover the pace. */
  onSuccess(): void;
  /** The server said we go too fast: slow down (and honour its `Retry-After` where the limiter can). */
  onThrottled(retryAfterMs?: number): void;
}

/** Serves `acquire` calls one after the other, in arrival order; a failed turn does not block the next. */
class Turns {
  private tail: Promise<void> = Promise.resolve();

  take(wait: () => Promise<void>): Promise<void> {
    const turn = this.tail.then(wait);
    this.tail = turn.catch(() => undefined);
    return turn;
  }
}

export interface CallRateLimiterOptions {
  callsPerMinute: number;
  /** Extra margin on the 60 s window so server-side jitter never sees one call too many. */
  windowMarginMs?: number;
  /** Lowest share of the quota used after repeated throttling (multiplicative decrease floor). */
  minFactor?: number;
}

/**
 * A per-minute call quota (WDT): calls are spaced evenly at `callsPerMinute` and never more than
 * `callsPerMinute` start in any 60 s (+ margin) window. Each throttled answer (WDT 1012) slows the
 * pace (× 0.9, down to `minFactor`); each success recovers 5 % of the quota. `Retry-After` is not
 * used here: the caller's retry waits out WDT's ban.
 */
export class CallRateLimiter implements RateLimiter {
  readonly callsPerMinute: number;
  private readonly windowMs: number;
  private readonly minFactor: number;
  private readonly starts: number[] = [];
  private readonly turns = new Turns();
  private nextSlot = 0;
  private factor = 1;

  constructor(
    options: CallRateLimiterOptions,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(options.callsPerMinute > 0)) throw new RangeError('callsPerMinute must be > 0');
    this.callsPerMinute = options.callsPerMinute;
    this.windowMs = 60_000 + (options.windowMarginMs ?? 100);
    this.minFactor = options.minFactor ?? 0.25;
  }

  /** Share of the quota currently used (1 = full pace). */
  get pace(): number {
    return this.factor;
  }

  acquire(): Promise<void> {
    return this.turns.take(() => this.waitForSlot());
  }

  onThrottled(): void {
    this.factor = Math.max(this.minFactor, this.factor * 0.9);
  }

  onSuccess(): void {
    this.factor = Math.min(1, this.factor + 0.05);
  }

  private async waitForSlot(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      const oldest =
        this.starts.length >= this.callsPerMinute
          ? this.starts[this.starts.length - this.callsPerMinute]
          : -Infinity;
      const at = Math.max(now, this.nextSlot, oldest + this.windowMs);
      if (at <= now) {
        this.starts.push(now);
        if (this.starts.length > this.callsPerMinute)
          this.starts.splice(0, this.starts.length - this.callsPerMinute);
        this.nextSlot = Math.max(this.nextSlot, now - this.interval()) + this.interval();
        return;
      }
      await this.clock.sleep(at - now);
    }
  }

  private interval(): number {
    return 60_000 / (this.callsPerMinute * this.factor);
  }
}

export interface AdaptiveRateLimiterOptions {
  /** Target rate, requests per second (already below the quota). */
  ratePerSecond: number;
  /** Bucket size in seconds of the current rate (burst); at least one token. */
  burstSeconds?: number;
  /** Multiplier applied to the rate on each throttled answer. */
  decreaseFactor?: number;
  /** Lowest rate, as a fraction of the target. */
  minFraction?: number;
  /** Seconds of successful calls to climb back from the lowest rate to the target. */
  recoverySeconds?: number;
}

/**
 * A per-second quota (Xingchen gateway): a token bucket that stays below the quota and slows down
 * when the server says it is throttling (AIMD: one multiplicative decrease per burst of
 * rejections, additive increase per success), honouring `Retry-After`.
 */
export class AdaptiveRateLimiter implements RateLimiter {
  readonly maxRate: number;
  private rate: number;
  private tokens: number;
  private updatedAt: number;
  private pausedUntil = 0;
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;
  private readonly burstSeconds: number;
  private readonly decreaseFactor: number;
  private readonly minRate: number;
  private readonly recoveryStep: number;
  private readonly turns = new Turns();

  constructor(
    options: AdaptiveRateLimiterOptions,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(options.ratePerSecond > 0)) throw new Error('ratePerSecond must be > 0');
    this.maxRate = options.ratePerSecond;
    this.rate = this.maxRate;
    this.burstSeconds = options.burstSeconds ?? 1;
    this.decreaseFactor = options.decreaseFactor ?? 0.7;
    this.minRate = this.maxRate * (options.minFraction ?? 0.1);
    // additive increase: per granted request, so that about `recoverySeconds` at the target rate
    // bring the rate back from the minimum
    this.recoveryStep =
      (this.maxRate - this.minRate) / Math.max(1, this.maxRate * (options.recoverySeconds ?? 30));
    this.tokens = this.capacity();
    this.updatedAt = clock.now();
  }

  get currentRate(): number {
    return this.rate;
  }

  acquire(): Promise<void> {
    return this.turns.take(() => this.take());
  }

  /** A call went through: creep back towards the target rate. */
  onSuccess(): void {
    if (this.rate < this.maxRate) this.rate = Math.min(this.maxRate, this.rate + this.recoveryStep);
  }

  /** The gateway throttled us (429 / 5007): lower the rate and honour Retry-After. */
  onThrottled(retryAfterMs?: number): void {
    const now = this.clock.now();
    this.refill(now);
    // one decrease per burst of rejections, not one per in-flight request
    if (now - this.lastDecreaseAt >= 1000) {
      this.rate = Math.max(this.minRate, this.rate * this.decreaseFactor);
      this.lastDecreaseAt = now;
    }
    this.tokens = Math.min(this.tokens, 0);
    const pause = retryAfterMs ?? Math.ceil(1000 / this.rate);
    this.pausedUntil = Math.max(this.pausedUntil, now + pause);
  }

  private capacity(): number {
    return Math.max(1, this.rate * this.burstSeconds);
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.capacity(), this.tokens + elapsed * this.rate);
    this.updatedAt = now;
  }

  private async take(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      if (await sleptUntil(this.clock, this.pausedUntil, now)) continue;
      this.refill(now);
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.max(1, Math.ceil(((1 - this.tokens) / this.rate) * 1000)));
    }
  }
}
