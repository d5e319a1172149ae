import { Semaphore, workerPool } from './concurrency';

describe('Semaphore', () => {
  it('caps holders and hands over in FIFO order', async () => {
    const semaphore = new Semaphore(2);
    const a = await semaphore.acquire();
    await semaphore.acquire();
    const order: string[] = [];
    const c = semaphore.acquire().then((release) => {
      order.push('c');
      return release;
    });
    const d = semaphore.acquire().then(() => order.push('d'));
    expect(semaphore.inUse).toBe(2);
    a();
    a(); // releasing twice is harmless
    await c;
    expect(order).toEqual(['c']);
    (await c)();
    await d;
    expect(order).toEqual(['c', 'd']);
  });
});

/** Tasks whose completion the test decides: `gates[item]` settles the task of `item` once started. */
function gatedTasks<T>() {
  const started: number[] = [];
  const gates: Array<{ resolve: (value: T) => void; reject: (error: unknown) => void }> = [];
  const task = (item: number) =>
    new Promise<T>((resolve, reject) => {
      started.push(item);
      gates[item] = { resolve, reject };
    });
  return { started, gates, task };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('workerPool', () => {
  it('runs at most `limit` tasks at once, in item order, and returns results in item order', async () => {
    const { started, gates, task } = gatedTasks<string>();
    const pool = workerPool([0, 1, 2, 3], 2, task);
    await flush();
    expect(started).toEqual([0, 1]);
    gates[1].resolve('b');
    await flush();
    expect(started).toEqual([0, 1, 2]);
    gates[0].resolve('a');
    await flush();
    expect(started).toEqual([0, 1, 2, 3]);
    gates[2].resolve('c');
    gates[3].resolve('d');
    await expect(pool).resolves.toEqual(['a', 'b', 'c', 'd']);
  });

  it('by default stops every worker after a failure and rejects with the earliest one, after the others settle', async () => {
    const { started, gates, task } = gatedTasks<void>();
    let settled = false;
    const pool = workerPool([0, 1, 2, 3], 2, task).finally(() => (settled = true));
    pool.catch(() => undefined);
    await flush();
    gates[1].reject(new Error('first'));
    await flush();
    expect(settled).toBe(false);
    gates[0].reject(new Error('second'));
    await expect(pool).rejects.toThrow('first');
    expect(started).toEqual([0, 1]);
  });

  it("with stopOnFailure 'worker' only the failed worker stops, and the lowest-numbered failed worker's error rejects", async () => {
    const { started, gates, task } = gatedTasks<void>();
    const pool = workerPool([0, 1, 2, 3], 2, task, { stopOnFailure: 'worker' });
    pool.catch(() => undefined);
    await flush();
    gates[1].reject(new Error('worker 2'));
    await flush();
    gates[0].resolve();
    await flush();
    expect(started).toEqual([0, 1, 2]);
    gates[2].reject(new Error('worker 1'));
    await flush();
    expect(started).toEqual([0, 1, 2]);
    await expect(pool).rejects.toThrow('worker 1');
  });

  it('asks continueWhile before each item and ends quietly when it says no', async () => {
    let go = true;
    const seen: number[] = [];
    const results = await workerPool(
      [0, 1, 2, 3],
      1,
      async (item) => {
        seen.push(item);
        if (item === 1) go = false;
        return item;
      },
      { continueWhile: () => go },
    );
    expect(seen).toEqual([0, 1]);
    expect(results.slice(0, 2)).toEqual([0, 1]);
  });

  it('starts no worker for no items', async () => {
    await expect(workerPool([], 4, async () => 1)).resolves.toEqual([]);
  });
});
