import { systemClock, type Clock } from './clock';

/**
 * The shared call budget of one account set (docs/quota.md): a GCRA schedule (the "theoretical
 * arrival time" of the next call) plus a shared throttle state. Every process that spends the
 * account set's quota reserves its call start times from the same state, so the starts of all of
 * them together are spaced at least `60 000 / perMinute` ms apart: at most ⌈perMinute⌉ starts in
 * any sliding 60 s. The state lives in a store (PostgreSQL in production, memory in unit tests);
 * the step functions below are the whole algorithm, run under the store's row lock.
 */
export interface BudgetState {
  /** When the next call of the account set may start (epoch ms, the store's clock). */
  tatMs: number;
  /** Share of `perMinute` in force at `loweredAtMs` (1 = full pace). */
  factor: number;
  /** Last time any process lowered the pace. */
  loweredAtMs: number;
  /** No call starts before this (the gateway's Retry-After, seen by any process). */
  throttledUntilMs: number;
}

export interface BudgetPolicy {
  /** Calls per minute the account set may start (already below its quota). */
  perMinute: number;
  /** Start times are reserved at most this far ahead (bounds what a dead process wastes). */
  horizonMs: number;
  /** Multiplier on the pace at each throttled answer (at most one decrease per second, for everyone). */
  decreaseFactor: number;
  /** Lowest pace, as a share of `perMinute`. */
  minFactor: number;
  /** Time to climb back from the lowest pace to the full pace (linear). */
  recoveryMs: number;
}

export interface BudgetGrant {
  /** Call starts granted (0: none before `retryInMs`). */
  granted: number;
  /** Delay from the store's now to each granted start, ascending. */
  delaysMs: number[];
  /** The granted starts on the store's clock (epoch ms). */
  startsMs: number[];
  /** When nothing was granted: how long until asking again makes sense. */
  retryInMs: number;
  /** Pace in force (share of `perMinute`). */
  factor: number;
}

export interface ThrottleResult {
  /** Whether this report lowered the pace (false when another process did within the last second). */
  lowered: boolean;
  factor: number;
}

export const initialBudgetState = (): BudgetState => ({
  tatMs: 0,
  factor: 1,
  loweredAtMs: Number.NEGATIVE_INFINITY,
  throttledUntilMs: 0,
});

/** The pace at `now`: the stored factor, recovered linearly since the last lowering. */
export function effectiveFactor(state: BudgetState, policy: BudgetPolicy, now: number): number {
  const since = Math.max(0, now - state.loweredAtMs);
  const recovered = policy.recoveryMs > 0 ? ((1 - policy.minFactor) * since) / policy.recoveryMs : 1;
  return Math.min(1, state.factor + recovered);
}

const gapOf = (policy: BudgetPolicy, factor: number): number => 60_000 / (policy.perMinute * factor);

/** Reserves up to `want` call starts. Pure: the caller stores the returned state atomically. */
export function claimStep(
  state: BudgetState,
  want: number,
  policy: BudgetPolicy,
  now: number,
): { state: BudgetState; grant: BudgetGrant } {
  const factor = effectiveFactor(state, policy, now);
  const gap = gapOf(policy, factor);
  const start = Math.max(state.tatMs, now, state.throttledUntilMs);
  const fit = start <= now + policy.horizonMs ? Math.floor((now + policy.horizonMs - start) / gap) + 1 : 0;
  const granted = Math.max(0, Math.min(want, fit));
  if (granted === 0)
    return {
      state,
      grant: {
        granted,
        delaysMs: [],
        startsMs: [],
        retryInMs: Math.max(1, start - policy.horizonMs - now),
        factor,
      },
    };
  return {
    state: { ...state, tatMs: start + granted * gap },
    grant: {
      granted,
      delaysMs: Array.from({ length: granted }, (_, i) => start - now + i * gap),
      startsMs: Array.from({ length: granted }, (_, i) => start + i * gap),
      retryInMs: 0,
      factor,
    },
  };
}

/** A throttled answer seen by one process: lowers the pace for every process, honours Retry-After. */
export function throttleStep(
  state: BudgetState,
  retryAfterMs: number | undefined,
  policy: BudgetPolicy,
  now: number,
): { state: BudgetState; result: ThrottleResult } {
  const current = effectiveFactor(state, policy, now);
  const lowered = now - state.loweredAtMs >= 1000;
  const factor = lowered ? Math.max(policy.minFactor, current * policy.decreaseFactor) : current;
  const pause = retryAfterMs ?? gapOf(policy, factor);
  return {
    state: {
      ...state,
      factor: lowered ? factor : state.factor,
      loweredAtMs: lowered ? now : state.loweredAtMs,
      throttledUntilMs: Math.max(state.throttledUntilMs, now + pause),
    },
    result: { lowered, factor },
  };
}

/** Where the budget of every account set is kept; each method is atomic per account set. */
export interface CallBudgetStore {
  claim(accountSet: string, want: number, policy: BudgetPolicy): Promise<BudgetGrant>;
  reportThrottled(
    accountSet: string,
    retryAfterMs: number | undefined,
    policy: BudgetPolicy,
  ): Promise<ThrottleResult>;
}

/** The store of unit tests (and of processes sharing one event loop): a map under the same steps. */
export class InMemoryCallBudgetStore implements CallBudgetStore {
  private readonly states = new Map<string, BudgetState>();

  constructor(private readonly clock: Pick<Clock, 'now'> = systemClock) {}

  state(accountSet: string): BudgetState {
    return this.states.get(accountSet) ?? initialBudgetState();
  }

  claim(accountSet: string, want: number, policy: BudgetPolicy): Promise<BudgetGrant> {
    const { state, grant } = claimStep(this.state(accountSet), want, policy, this.clock.now());
    this.states.set(accountSet, state);
    return Promise.resolve(grant);
  }

  reportThrottled(
    accountSet: string,
    retryAfterMs: number | undefined,
    policy: BudgetPolicy,
  ): Promise<ThrottleResult> {
    const { state, result } = throttleStep(this.state(accountSet), retryAfterMs, policy, this.clock.now());
    this.states.set(accountSet, state);
    return Promise.resolve(result);
  }
}
