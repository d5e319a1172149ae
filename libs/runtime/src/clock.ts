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
