import { CallRateLimiter } from './rate-limiter';

/** A fake clock whose sleep moves time forward. */
function fakeTime() {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
  };
}

describe('CallRateLimiter', () => {
  it('spaces calls evenly at the quota', async () => {
    const time = fakeTime();
    const limiter = new CallRateLimiter({ callsPerMinute: 60, windowMarginMs: 0, ...time });
    const at: number[] = [];
    for (let i = 0; i < 5; i++) {
      await limiter.acquire();
      at.push(time.now());
    }
    expect(at).toEqual([0, 1000, 2000, 3000, 4000]);
  });

  it('never starts more than the quota in a 60 s window plus margin', async () => {
    const time = fakeTime();
    const limiter = new CallRateLimiter({ callsPerMinute: 3, windowMarginMs: 100, ...time });
    const at: number[] = [];
    for (let i = 0; i < 4; i++) {
      await limiter.acquire();
      at.push(time.now());
    }
    expect(at).toEqual([0, 20000, 40000, 60100]);
  });

  it('serves concurrent callers first come, first served', async () => {
    const time = fakeTime();
    const limiter = new CallRateLimiter({ callsPerMinute: 120, windowMarginMs: 0, ...time });
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => limiter.acquire().then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3]);
    expect(time.now()).toBe(1000);
  });

  it('slows down after a 1012 and recovers with successes', async () => {
    const time = fakeTime();
    const limiter = new CallRateLimiter({ callsPerMinute: 60, windowMarginMs: 0, minFactor: 0.5, ...time });
    limiter.slowDown();
    expect(limiter.pace).toBeCloseTo(0.9, 10);
    for (let i = 0; i < 20; i++) limiter.slowDown();
    expect(limiter.pace).toBe(0.5);
    await limiter.acquire();
    await limiter.acquire();
    expect(time.now()).toBe(2000);
    for (let i = 0; i < 30; i++) limiter.recordSuccess();
    expect(limiter.pace).toBe(1);
  });
});
