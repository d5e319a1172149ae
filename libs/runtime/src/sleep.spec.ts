import { systemClock } from './clock';
import { sleep } from './sleep';

describe('sleep', () => {
  afterEach(() => jest.useRealTimers());

  it('resolves after the given time', async () => {
    jest.useFakeTimers();
    let done = false;
    const waiting = sleep(1000).then(() => (done = true));
    await jest.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await waiting;
    expect(done).toBe(true);
  });

  it('rejects at once with the reason of a signal already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stopped'));
    await expect(sleep(10_000, controller.signal)).rejects.toThrow('stopped');
  });

  it('rejects with the reason when aborted during the wait, and clears its timer', async () => {
    jest.useFakeTimers();
    const controller = new AbortController();
    const waiting = sleep(10_000, controller.signal);
    expect(jest.getTimerCount()).toBe(1);
    controller.abort(new Error('shutdown'));
    await expect(waiting).rejects.toThrow('shutdown');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('the system clock reads Date.now and sleeps with real timers', async () => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
    expect(systemClock.now()).toBe(1_700_000_000_000);
    let done = false;
    const waiting = systemClock.sleep(50).then(() => (done = true));
    await jest.advanceTimersByTimeAsync(50);
    await waiting;
    expect(done).toBe(true);
  });
});
