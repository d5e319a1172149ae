import { isPipelineIdle, waitUntilQuiet, waitUntilSteady, type PipelineProgress } from './idle';

const idle: PipelineProgress = {
  checkpointSeconds: 100,
  rawLag: 0,
  replayLag: 0,
  normalizedLag: 0,
  pendingLedger: 0,
};

describe('isPipelineIdle', () => {
  it('holds when the checkpoint covers the newest trade, every lag is 0 and nothing is pending', () => {
    expect(isPipelineIdle(idle, 100_000)).toBe(true);
    expect(isPipelineIdle(idle, 0)).toBe(true);
  });

  it('fails on a trade past the checkpoint, any lag or a pending intent', () => {
    expect(isPipelineIdle(idle, 100_001)).toBe(false);
    expect(isPipelineIdle({ ...idle, rawLag: 1 }, 0)).toBe(false);
    expect(isPipelineIdle({ ...idle, replayLag: 1 }, 0)).toBe(false);
    expect(isPipelineIdle({ ...idle, normalizedLag: 1 }, 0)).toBe(false);
    expect(isPipelineIdle({ ...idle, pendingLedger: 1 }, 0)).toBe(false);
  });
});

describe('waitUntilSteady', () => {
  it('resolves to the reading of the second idle poll in a row; a busy poll restarts the count', async () => {
    const answers = [true, false, true, true, true];
    let polls = 0;
    const reading = await waitUntilSteady({
      probe: async () => ({ reading: polls, idle: answers[polls++] }),
      timeoutMs: 10_000,
      intervalMs: 1,
      timeoutMessage: () => 'timeout',
    });
    expect(reading).toBe(3);
    expect(polls).toBe(4);
  });

  it('throws the timeout message with the last reading once the deadline passed', async () => {
    await expect(
      waitUntilSteady({
        probe: async () => ({ reading: 'busy', idle: false }),
        timeoutMs: 0,
        intervalMs: 1,
        timeoutMessage: (last) => `not idle: ${last}`,
      }),
    ).rejects.toThrow('not idle: busy');
  });

  it('lets a failing probe end the wait', async () => {
    await expect(
      waitUntilSteady({
        probe: () => Promise.reject(new Error('loader exited')),
        timeoutMs: 10_000,
        timeoutMessage: () => 'timeout',
      }),
    ).rejects.toThrow('loader exited');
  });
});

describe('waitUntilQuiet', () => {
  it('returns once the value has not changed for the quiet time', async () => {
    const values = [1, 2, 2, 2, 2, 2, 2, 2, 2, 2];
    let reads = 0;
    const started = Date.now();
    await waitUntilQuiet(() => values[Math.min(reads++, values.length - 1)], {
      quietMs: 30,
      deadlineMs: Date.now() + 5000,
      intervalMs: 10,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(30);
    expect(reads).toBeGreaterThanOrEqual(4);
  });

  it('gives up at the deadline while the value keeps changing', async () => {
    let n = 0;
    const started = Date.now();
    await waitUntilQuiet(() => n++, { quietMs: 10_000, deadlineMs: Date.now() + 50, intervalMs: 10 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(n).toBeGreaterThan(2);
  });
});
