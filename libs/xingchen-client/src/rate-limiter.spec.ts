import { AdaptiveRateLimiter, parseRetryAfter, Semaphore, type Clock } from './rate-limiter';

/** A clock whose sleeps advance virtual time at once. */
const virtualClock = (): Clock & { t: number } => {
  const clock = {
    t: 0,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += ms;
    },
  };
  return clock;
};

describe('AdaptiveRateLimiter', () => {
  it('grants a burst of one second, then paces requests at the rate', async () => {
    const clock = virtualClock();
    const limiter = new AdaptiveRateLimiter({ ratePerSecond: 10 }, clock);
    for (let i = 0; i < 10; i++) await limiter.acquire();
    expect(clock.t).toBe(0);
    for (let i = 0; i < 20; i++) await limiter.acquire();
    expect(clock.t).toBe(2000);
  });

  it('serves concurrent callers in order without exceeding the rate', async () => {
    const clock = virtualClock();
    const limiter = new AdaptiveRateLimiter({ ratePerSecond: 2 }, clock);
    const granted: number[] = [];
    await Promise.all(Array.from({ length: 6 }, (_, i) => limiter.acquire().then(() => granted.push(i))));
    expect(granted).toEqual([0, 1, 2, 3, 4, 5]);
    expect(clock.t).toBe(2000);
  });

  it('slows down on a throttled answer, honours Retry-After, and recovers', async () => {
    const clock = virtualClock();
    const limiter = new AdaptiveRateLimiter({ ratePerSecond: 10, recoverySeconds: 1 }, clock);
    limiter.onThrottled(3000);
    expect(limiter.currentRate).toBe(7);
    // several in-flight requests report the same burst: one decrease only
    limiter.onThrottled(3000);
    expect(limiter.currentRate).toBe(7);
    await limiter.acquire();
    expect(clock.t).toBeGreaterThanOrEqual(3000);
    for (let i = 0; i < 50; i++) limiter.onSuccess();
    expect(limiter.currentRate).toBe(10);
  });

  it('never drops below the minimum rate', () => {
    const clock = virtualClock();
    const limiter = new AdaptiveRateLimiter({ ratePerSecond: 10, minFraction: 0.2 }, clock);
    for (let i = 0; i < 20; i++) {
      clock.t += 10_000;
      limiter.onThrottled(0);
    }
    expect(limiter.currentRate).toBeCloseTo(2, 10);
  });
});

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

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('2', 0)).toBe(2000);
    expect(parseRetryAfter('0.5', 0)).toBe(500);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });
});
