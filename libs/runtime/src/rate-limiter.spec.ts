import { AdaptiveRateLimiter, CallRateLimiter, type RateLimiter } from './rate-limiter';
import { type Clock } from './clock';

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

/** The virtual times at which `count` calls in a row were let through. */
async function grantTimes(limiter: RateLimiter, clock: Clock, count: number): Promise<number[]> {
  const at: number[] = [];
  for (let i = 0; i < count; i++) {
    await limiter.acquire();
    at.push(clock.now());
  }
  return at;
}

describe('CallRateLimiter', () => {
  it('spaces calls evenly at the quota', async () => {
    const time = virtualClock();
    const limiter = new CallRateLimiter({ callsPerMinute: 60, windowMarginMs: 0 }, time);
    const at = await grantTimes(limiter, time, 5);
    expect(at).toEqual([0, 1000, 2000, 3000, 4000]);
  });

  it('never starts more than the quota in a 60 s window plus margin', async () => {
    const time = virtualClock();
    const limiter = new CallRateLimiter({ callsPerMinute: 3, windowMarginMs: 100 }, time);
    const at = await grantTimes(limiter, time, 4);
    expect(at).toEqual([0, 20000, 40000, 60100]);
  });

  it('serves concurrent callers first come, first served', async () => {
    const time = virtualClock();
    const limiter = new CallRateLimiter({ callsPerMinute: 120, windowMarginMs: 0 }, time);
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => limiter.acquire().then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3]);
    expect(time.now()).toBe(1000);
  });

  it('slows down after a 1012 and recovers with successes', async () => {
    const time = virtualClock();
    const limiter = new CallRateLimiter({ callsPerMinute: 60, windowMarginMs: 0, minFactor: 0.5 }, time);
    limiter.onThrottled();
    expect(limiter.pace).toBeCloseTo(0.9, 10);
    for (let i = 0; i < 20; i++) limiter.onThrottled();
    expect(limiter.pace).toBe(0.5);
    await limiter.acquire();
    await limiter.acquire();
    expect(time.now()).toBe(2000);
    for (let i = 0; i < 30; i++) limiter.onSuccess();
    expect(limiter.pace).toBe(1);
  });
});

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
