export interface RateLimiterOptions {
  callsPerMinute: number;
  /** Extra margin on the 60 s window so server-side jitter never sees one call too many. */
  windowMarginMs?: number;
  /** Lowest share of the quota used after repeated 1012s (multiplicative decrease floor). */
  minFactor?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * Client-side quota: calls are spaced evenly at `callsPerMinute` and never more than
 * `callsPerMinute` start in any 60 s (+ margin) window. After a 1012 the pace slows down
 * (× 0.9 per rejection, down to `minFactor`) and recovers by 5 % of the quota per success.
 * Callers are served first come, first served.
 */
export class CallRateLimiter {
  readonly callsPerMinute: number;
  private readonly windowMs: number;
  private readonly minFactor: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly starts: number[] = [];
  private nextSlot = 0;
  private factor = 1;
  private tail: Promise<void> = Promise.resolve();

  constructor(options: RateLimiterOptions) {
    if (!(options.callsPerMinute > 0)) throw new RangeError('callsPerMinute must be > 0');
    this.callsPerMinute = options.callsPerMinute;
    this.windowMs = 60_000 + (options.windowMarginMs ?? 100);
    this.minFactor = options.minFactor ?? 0.25;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** Share of the quota currently used (1 = full pace). */
  get pace(): number {
    return this.factor;
  }

  /** Resolves when the caller may start one call. */
  acquire(): Promise<void> {
    const turn = this.tail.then(() => this.waitForSlot());
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  /** WDT answered 1012: slow down. */
  slowDown(): void {
    this.factor = Math.max(this.minFactor, this.factor * 0.9);
  }

  /** A call went through: recover the pace. */
  recordSuccess(): void {
    this.factor = Math.min(1, this.factor + 0.05);
  }

  private async waitForSlot(): Promise<void> {
    for (;;) {
      const now = this.now();
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
      await this.sleep(at - now);
    }
  }

  private interval(): number {
    return 60_000 / (this.callsPerMinute * this.factor);
  }
}
