/** At most `limit` holders at once, FIFO. `acquire` resolves to the release (idempotent). */
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

export interface WorkerPoolOptions {
  /** Asked before each item is taken; false ends that worker quietly (its items stay unrun). */
  continueWhile?: () => boolean;
  /**
   * What a failed task stops:
   * - `all` (default): no worker takes another item; the earliest failure rejects the pool;
   * - `worker`: only the worker that failed stops, the others go on; the failure of the
   *   lowest-numbered failed worker rejects the pool.
   * Either way the pool settles only after every started task has settled.
   */
  stopOnFailure?: 'all' | 'worker';
}

/**
 * Runs `task` over `items` in order with at most `limit` at once (min(limit, items) workers
 * taking the next item as they finish) and resolves to the results in item order.
 */
export async function workerPool<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
  options: WorkerPoolOptions = {},
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  const stopAll = (options.stopOnFailure ?? 'all') === 'all';
  const continueWhile = options.continueWhile ?? (() => true);
  let next = 0;
  let earliest: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!(stopAll && earliest) && next < items.length && continueWhile()) {
      const index = next++;
      try {
        results[index] = await task(items[index], index);
      } catch (error) {
        earliest ??= { error };
        if (!stopAll) throw error;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (stopAll && earliest) throw earliest.error;
  const failure = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
  return results;
}
