import { UnackedBudget } from './unacked-budget';

const settled = async <T>(promise: Promise<T>): Promise<boolean> => {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('UnackedBudget: trades fetched and not yet acknowledged', () => {
  it('grants while there is room, then makes the next reservation wait for a release', async () => {
    const budget = new UnackedBudget(200);
    await budget.acquire(100);
    await budget.acquire(100);
    const third = budget.acquire(100);

    expect(await settled(third)).toBe(false);
    budget.release(100);
    expect(await third).toBe(100);
    expect(budget.inUse).toBe(200);
  });

  it('serves waiters in order: a small reservation does not overtake a large one', async () => {
    const budget = new UnackedBudget(100);
    await budget.acquire(90);
    const large = budget.acquire(100);
    const small = budget.acquire(10);

    expect(await settled(small)).toBe(false);
    budget.release(90);
    expect(await large).toBe(100);
    expect(await settled(small)).toBe(false);
    budget.release(100);
    expect(await small).toBe(10);
  });

  it('a reservation larger than the budget is cut to it instead of waiting forever', async () => {
    const budget = new UnackedBudget(50);
    expect(await budget.acquire(100)).toBe(50);
  });

  it('an aborted wait gives up its place and lets the next one in', async () => {
    const budget = new UnackedBudget(100);
    await budget.acquire(60);
    const controller = new AbortController();
    const aborted = budget.acquire(100, controller.signal);
    const next = budget.acquire(40);

    controller.abort(new Error('shutting down'));
    await expect(aborted).rejects.toThrow('shutting down');
    expect(await next).toBe(40);
    expect(budget.inUse).toBe(100);
  });

  it('refuses a budget that is not a positive integer', () => {
    expect(() => new UnackedBudget(0)).toThrow(RangeError);
  });
});
