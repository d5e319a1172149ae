import { sleep } from './sleep';

/** What the idle test reads of a running pipeline (a snapshot of its metrics and ledger). */
export interface PipelineProgress {
  /** The extractor's checkpoint, epoch seconds. */
  checkpointSeconds: number;
  rawLag: number;
  replayLag: number;
  normalizedLag: number;
  /** Ledger rows whose intent is recorded but not yet decided. */
  pendingLedger: number;
}

/**
 * The idle test: the checkpoint covers every visible trade (`latestModifiedMs`, the newest
 * `modified` of the source), every consumer group is at the end, no intent pending.
 */
export function isPipelineIdle(progress: PipelineProgress, latestModifiedMs: number): boolean {
  return (
    progress.checkpointSeconds * 1000 >= latestModifiedMs &&
    progress.rawLag === 0 &&
    progress.replayLag === 0 &&
    progress.normalizedLag === 0 &&
    progress.pendingLedger === 0
  );
}

export interface SteadyOptions<S> {
  /** One poll: what was read and whether it counts as idle. May throw to end the wait (a crashed process). */
  probe: () => Promise<{ reading: S; idle: boolean }>;
  /** Consecutive idle polls needed (default 2). */
  times?: number;
  timeoutMs: number;
  /** Pause between polls (default 1000 ms). */
  intervalMs?: number;
  /** The error message when the deadline passes, given the last reading. */
  timeoutMessage: (last: S) => string;
}

/** Polls until `probe` reads idle `times` times in a row; resolves to that last reading. */
export async function waitUntilSteady<S>(options: SteadyOptions<S>): Promise<S> {
  const deadline = Date.now() + options.timeoutMs;
  const times = options.times ?? 2;
  let streak = 0;
  for (;;) {
    const { reading, idle } = await options.probe();
    streak = idle ? streak + 1 : 0;
    if (streak >= times) return reading;
    if (Date.now() > deadline) throw new Error(options.timeoutMessage(reading));
    await sleep(options.intervalMs ?? 1000);
  }
}

/**
 * Waits until `read` has returned the same value for `quietMs` (nothing new happened), or until
 * `deadlineMs` (epoch ms) passes, polling every `intervalMs`.
 */
export async function waitUntilQuiet<T>(
  read: () => T,
  options: { quietMs: number; deadlineMs: number; intervalMs: number },
): Promise<void> {
  let last = read();
  let quietSince = Date.now();
  while (Date.now() < options.deadlineMs && Date.now() - quietSince < options.quietMs) {
    await sleep(options.intervalMs);
    const now = read();
    if (now !== last) quietSince = Date.now();
    last = now;
  }
}
