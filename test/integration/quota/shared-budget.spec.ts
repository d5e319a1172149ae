import { type DataSource } from 'typeorm';
import { createDataSource, ensureDatabase, PostgresCallBudgetStore, runMigrations } from '@app/persistence';
import { AdaptiveRateLimiter, SharedRateLimiter, type BudgetPolicy } from '@app/runtime';
import { testDatabaseUrl, waitFor } from '@app/testing';

/** A database of this suite alone (the budget rows are per account set, the suite's own). */
const url = (() => {
  const target = new URL(testDatabaseUrl());
  target.pathname = '/erpsync_test_quota';
  return target.toString();
})();

const policy = (perMinute: number, changes: Partial<BudgetPolicy> = {}): BudgetPolicy => ({
  perMinute,
  horizonMs: 1000,
  decreaseFactor: 0.5,
  minFactor: 0.1,
  recoveryMs: 30_000,
  ...changes,
});

const accountSet = (name: string) => `test:${name}:${Date.now().toString(36)}`;

describe('the shared Xingchen call budget in PostgreSQL: one schedule for every process', () => {
  /** Four pools: four "processes" claiming the same account set's budget. */
  const sources: DataSource[] = [];
  let stores: PostgresCallBudgetStore[];

  beforeAll(async () => {
    await ensureDatabase(url);
    for (let i = 0; i < 4; i++) sources.push(await createDataSource({ url, poolSize: 4 }).initialize());
    await runMigrations(sources[0]);
    stores = sources.map((source) => new PostgresCallBudgetStore(source));
  });
  afterAll(async () => {
    await Promise.all(sources.map((source) => source.destroy()));
  });

  it('grants starts at least 60 s / quota apart across concurrent claims of four pools', async () => {
    const key = accountSet('exact');
    const perMinute = 600; // one start per 100 ms
    const wide = policy(perMinute, { horizonMs: 60_000 });
    const grants = await Promise.all(
      Array.from({ length: 60 }, (_, i) => stores[i % stores.length].claim(key, 1 + (i % 4), wide)),
    );
    const starts = grants.flatMap((grant) => grant.startsMs).sort((a, b) => a - b);
    expect(starts).toHaveLength(grants.reduce((n, grant) => n + grant.granted, 0));
    expect(starts.length).toBe(Array.from({ length: 60 }, (_, i) => 1 + (i % 4)).reduce((a, b) => a + b));
    const gaps = starts.slice(1).map((start, i) => start - starts[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(100 - 1e-6);
    // …back to back: the schedule wastes nothing while claims queue
    expect(Math.max(...gaps)).toBeLessThan(100 + 1e-6);
  });

  it('refuses starts beyond the horizon and says when to ask again', async () => {
    const key = accountSet('horizon');
    const first = await stores[0].claim(key, 100, policy(120)); // 500 ms apart, 1 s ahead at most
    expect(first.granted).toBe(3);
    const second = await stores[1].claim(key, 1, policy(120));
    expect(second.granted).toBe(0);
    expect(second.retryInMs).toBeGreaterThan(0);
    expect(second.retryInMs).toBeLessThanOrEqual(500);
  });

  it('a throttled answer reported by one process lowers the pace and pauses the other', async () => {
    const key = accountSet('throttle');
    const fast = policy(600, { recoveryMs: 60_000 });
    const a = new SharedRateLimiter({
      store: stores[0],
      accountSet: key,
      policy: fast,
      fallback: new AdaptiveRateLimiter({ ratePerSecond: 10 }),
    });
    await a.acquire();
    const lowered = await stores[0].reportThrottled(key, 1_500, fast);
    expect(lowered).toEqual({ lowered: true, factor: 0.5 });
    // a second report within the second (another in-flight call's 429) does not lower it again
    expect((await stores[2].reportThrottled(key, 1_500, fast)).lowered).toBe(false);
    const other = await stores[1].claim(key, 2, fast);
    expect(other.granted).toBe(0); // paused by Retry-After
    const state = await stores[1].state(key);
    expect(state?.factor).toBe(0.5);
    expect(state!.throttledUntilMs - state!.loweredAtMs).toBeGreaterThanOrEqual(1_500);
  });

  it('the lowered pace recovers for everyone', async () => {
    const key = accountSet('recovery');
    const quick = policy(600, { recoveryMs: 400 });
    await stores[0].reportThrottled(key, 0, quick);
    const right = await stores[1].claim(key, 1, quick);
    expect(right.factor).toBeLessThan(0.6);
    const later = await waitFor(
      async () => {
        const grant = await stores[2].claim(key, 1, quick);
        return grant.factor === 1 ? grant : undefined;
      },
      { timeoutMs: 5_000, description: 'the pace back at 1' },
    );
    expect(later.factor).toBe(1);
  });
});
