import { backoffCeiling, backoffDelay, type BackoffPolicy } from './backoff';

const policy = (jitter: BackoffPolicy['jitter']): BackoffPolicy => ({
  initialMs: 200,
  maxMs: 30_000,
  jitter,
});

describe('backoff', () => {
  it('doubles from the initial delay per attempt and stops at the ceiling', () => {
    expect([1, 2, 3, 4].map((attempt) => backoffCeiling(attempt, policy('none')))).toEqual([
      200, 400, 800, 1600,
    ]);
    expect(backoffCeiling(20, policy('none'))).toBe(30_000);
    expect(backoffCeiling(20, { initialMs: 1000, maxMs: Infinity })).toBe(1000 * 2 ** 19);
  });

  it('without jitter returns exactly the capped value', () => {
    expect(backoffDelay(3, policy('none'), () => 0.99)).toBe(800);
  });

  it('with equal jitter waits half the value plus a random share of the other half, in whole ms', () => {
    expect(backoffDelay(3, policy('equal'), () => 0)).toBe(400);
    expect(backoffDelay(3, policy('equal'), () => 0.5)).toBe(600);
    expect(backoffDelay(3, policy('equal'), () => 0.999)).toBe(800);
    expect(backoffDelay(1, { initialMs: 333, maxMs: 30_000, jitter: 'equal' }, () => 0.3)).toBe(
      Math.round(166.5 + 0.3 * 166.5),
    );
  });

  it('with full jitter waits a random share of the whole value', () => {
    expect(backoffDelay(3, policy('full'), () => 0)).toBe(0);
    expect(backoffDelay(3, policy('full'), () => 0.25)).toBe(200);
  });

  it('uses Math.random by default', () => {
    const spy = jest.spyOn(Math, 'random').mockReturnValue(0.5);
    try {
      expect(backoffDelay(2, policy('equal'))).toBe(300);
    } finally {
      spy.mockRestore();
    }
  });
});
