/**
 * Exponential backoff: attempt 1 waits `initialMs`, each further attempt doubles it, capped at
 * `maxMs`. `jitter` spreads retries of many callers:
 * - `none`: exactly the capped value;
 * - `equal`: half the capped value plus a random share of the other half, rounded to whole ms;
 * - `full`: a random share of the capped value, rounded to whole ms.
 */
export interface BackoffPolicy {
  initialMs: number;
  /** Ceiling of the exponential value (Infinity: none). */
  maxMs: number;
  jitter: 'none' | 'equal' | 'full';
}

/** The capped exponential value of `attempt` (1-based), before jitter. */
export function backoffCeiling(attempt: number, policy: Pick<BackoffPolicy, 'initialMs' | 'maxMs'>): number {
  return Math.min(policy.maxMs, policy.initialMs * 2 ** (attempt - 1));
}

/** The delay before retry number `attempt` (1-based). `random` returns [0, 1) (tests pin it). */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = backoffCeiling(attempt, policy);
  switch (policy.jitter) {
    case 'none':
      return ceiling;
    case 'equal':
      return Math.round(ceiling / 2 + random() * (ceiling / 2));
    case 'full':
      return Math.round(random() * ceiling);
  }
}
