/**
 * A bound on trades fetched from WDT and not yet acknowledged by Kafka. Without it, windows read in
 * parallel keep fetching while the producer lags (a slow or stopped broker, a catch-up faster than
 * Kafka): every page stays in memory until its send resolves, and the process outgrows its memory
 * limit. Waiters are served in order; a reservation larger than the whole budget is cut to it.
 */
export class UnackedBudget {
  private available: number;
  private readonly waiting: Array<{ amount: number; grant: () => void }> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`budget must be a positive integer, got ${limit}`);
    this.available = limit;
  }

  get inUse(): number {
    return this.limit - this.available;
  }

  /** Resolves with the amount reserved once it is free (`release` that amount later). */
  acquire(amount: number, signal?: AbortSignal): Promise<number> {
    const wanted = Math.min(amount, this.limit);
    signal?.throwIfAborted();
    if (this.waiting.length === 0 && this.available >= wanted) {
      this.available -= wanted;
      return Promise.resolve(wanted);
    }
    return new Promise<number>((resolve, reject) => {
      const waiter = {
        amount: wanted,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(wanted);
        },
      };
      const onAbort = () => {
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal!.reason as Error);
        this.serve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  release(amount: number): void {
    this.available = Math.min(this.limit, this.available + amount);
    this.serve();
  }

  private serve(): void {
    while (this.waiting.length > 0 && this.available >= this.waiting[0].amount) {
      const next = this.waiting.shift()!;
      this.available -= next.amount;
      next.grant();
    }
  }
}
