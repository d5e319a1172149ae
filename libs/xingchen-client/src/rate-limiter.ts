/**
 * Client-side flow control of one tenant (account set): a token bucket that stays below the
 * quota and slows down when the gateway says it is throttling (AIMD), plus a concurrency cap.
 */

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

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

export class AdaptiveRateLimiter {
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
  private queue: Promise<void> = Promise.resolve();

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

  private capacity(): number {
    return Math.max(1, this.rate * this.burstSeconds);
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.capacity(), this.tokens + elapsed * this.rate);
    this.updatedAt = now;
  }

  /** Resolves when a request may be sent; callers are served in arrival order. */
  acquire(): Promise<void> {
    const turn = this.queue.then(() => this.take());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async take(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      if (now < this.pausedUntil) {
        await this.clock.sleep(this.pausedUntil - now);
        continue;
      }
      this.refill(now);
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.max(1, Math.ceil(((1 - this.tokens) / this.rate) * 1000)));
    }
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
}

/** At most `limit` holders at once, FIFO. */
export class Semaphore {
  private active = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new Error('limit must be ≥ 1');
  }

  get inUse(): number {
    return this.active;
  }

  async acquire(): Promise<() => void> {
    if (this.active < this.limit) {
      this.active++;
    } else {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.active--;
    };
  }
}

/** Parses Retry-After (seconds or an HTTP date) into milliseconds from now. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
