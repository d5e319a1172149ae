import { sleep } from './sleep';

/** Epoch milliseconds; injected wherever tests move time. */
export type Now = () => number;

/** Time and waiting together, for code that paces itself (rate limiters): tests make sleeps advance virtual time. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemNow: Now = () => Date.now();

/** The wall clock and real timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => sleep(ms),
};

/** Sleeps until `until` when `now` is before it; true when it slept (the caller reads its state again). */
export async function sleptUntil(clock: Clock, until: number, now: number): Promise<boolean> {
  if (now >= until) return false;
  await clock.sleep(until - now);
  return true;
}
