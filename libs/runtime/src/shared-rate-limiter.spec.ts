import {
  claimStep,
  effectiveFactor,
  initialBudgetState,
  InMemoryCallBudgetStore,
  type BudgetPolicy,
  type CallBudgetStore,
} from './call-budget';
import { type Clock } from './clock';
import { AdaptiveRateLimiter } from './rate-limiter';
import { SharedRateLimiter, type SharedLimiterEvent } from './shared-rate-limiter';

/** Virtual time: sleeps resolve in time order when the test drives the clock. */
class VirtualClock implements Clock {
  t = 0;
  private timers: Array<{ at: number; resolve: () => void }> = [];
  now = (): number => this.t;
  sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => this.timers.push({ at: this.t + Math.max(0, ms), resolve }));
  /** Lets everything due before `until` run, in time order. */
  async runUntil(until: number): Promise<void> {
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > until) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.at);
      next.resolve();
    }
    this.t = until;
  }
}

const policy = (perMinute: number): BudgetPolicy => ({
  perMinute,
  horizonMs: 1000,
  decreaseFactor: 0.5,
  minFactor: 0.1,
  recoveryMs: 30_000,
});

function limiter(
  store: CallBudgetStore,
  clock: VirtualClock,
  perMinute: number,
  events: SharedLimiterEvent[] = [],
): SharedRateLimiter {
  return new SharedRateLimiter(
    {
      store,
      accountSet: 'v1:acct',
      policy: policy(perMinute),
      fallback: new AdaptiveRateLimiter({ ratePerSecond: perMinute / 60 }, clock),
      onEvent: (event) => events.push(event),
    },
    clock,
  );
}

let stop = false;
afterEach(() => {
  stop = true;
});

/** `workers` callers per limiter, each calling again as soon as it was let through; the start times. */
function drive(limiters: SharedRateLimiter[], workers: number, clock: VirtualClock): number[] {
  const starts: number[] = [];
  stop = false;
  for (const one of limiters)
    for (let w = 0; w < workers; w++)
      void (async () => {
        while (!stop) {
          await one.acquire();
          if (!stop) starts.push(clock.now());
        }
      })();
  return starts;
}

const maxInSlidingWindow = (starts: number[], windowMs: number): number => {
  const sorted = [...starts].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
};

describe('claimStep', () => {
  it('grants call starts spaced 60 s / perMinute apart, no further ahead than the horizon', () => {
    const { state, grant } = claimStep(initialBudgetState(), 10, policy(120), 5_000);
    expect(grant.granted).toBe(3); // 0, 500, 1000 ms: the horizon is 1 s
    expect(grant.delaysMs).toEqual([0, 500, 1000]);
    expect(state.tatMs).toBe(6_500);
    const next = claimStep(state, 2, policy(120), 5_000);
    expect(next.grant.granted).toBe(0);
    expect(next.grant.retryInMs).toBe(500);
  });

  it('recovers the pace linearly after a lowering', () => {
    const state = { ...initialBudgetState(), factor: 0.1, loweredAtMs: 0 };
    expect(effectiveFactor(state, policy(60), 15_000)).toBeCloseTo(0.55);
    expect(effectiveFactor(state, policy(60), 30_000)).toBe(1);
  });
});

describe('SharedRateLimiter', () => {
  it('keeps three processes of one account set at the quota in every sliding minute', async () => {
    const clock = new VirtualClock();
    const store = new InMemoryCallBudgetStore(clock);
    const starts = drive(
      [0, 1, 2].map(() => limiter(store, clock, 120)),
      8,
      clock,
    );
    await clock.runUntil(180_000);
    expect(maxInSlidingWindow(starts, 60_000)).toBeLessThanOrEqual(120);
    // …and the quota is used: within a call of the ceiling over three minutes
    expect(starts.length).toBeGreaterThanOrEqual(3 * 120 - 1);
  });

  it('a throttled answer seen by one process slows the other, which recovers over time', async () => {
    const clock = new VirtualClock();
    const store = new InMemoryCallBudgetStore(clock);
    const events: SharedLimiterEvent[] = [];
    const a = limiter(store, clock, 120, events);
    const b = limiter(store, clock, 120);
    const startsOfB = drive([b], 4, clock);
    await clock.runUntil(10_000);
    const before = startsOfB.length;
    a.onThrottled(2_000);
    await clock.runUntil(12_000);
    expect(events).toContainEqual({ kind: 'lowered', factor: 0.5 });
    // Retry-After holds B too, once the starts it had reserved (the 1 s horizon) are spent
    expect(startsOfB.filter((t) => t > 11_000 && t < 12_000)).toEqual([]);
    await clock.runUntil(22_000);
    // half pace right after the lowering: about 1 call/s instead of 2
    expect(startsOfB.filter((t) => t >= 12_000 && t < 22_000).length).toBeLessThan(15);
    await clock.runUntil(60_000);
    expect(startsOfB.filter((t) => t >= 50_000 && t < 60_000).length).toBeGreaterThanOrEqual(19);
    expect(before).toBeGreaterThan(0);
  });

  it('paces with the local limiter while the store fails, and says so once', async () => {
    const clock = new VirtualClock();
    let down = true;
    const memory = new InMemoryCallBudgetStore(clock);
    const store: CallBudgetStore = {
      claim: (...args) => (down ? Promise.reject(new Error('connection refused')) : memory.claim(...args)),
      reportThrottled: (...args) => memory.reportThrottled(...args),
    };
    const events: SharedLimiterEvent[] = [];
    const one = limiter(store, clock, 60, events);
    const starts = drive([one], 2, clock);
    await clock.runUntil(10_000);
    expect(one.usingFallback).toBe(true);
    expect(starts.length).toBeGreaterThan(5);
    expect(starts.length).toBeLessThanOrEqual(12);
    down = false;
    await clock.runUntil(20_000);
    expect(one.usingFallback).toBe(false);
    expect(events.filter((e) => e.kind === 'fallback')).toHaveLength(1);
    expect(events.filter((e) => e.kind === 'restored')).toHaveLength(1);
  });
});
