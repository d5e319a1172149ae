import { type BudgetPolicy, type CallBudgetStore } from './call-budget';
import { sleptUntil, systemClock, type Clock } from './clock';
import { type RateLimiter } from './rate-limiter';

/** What the shared limiter reports (the client turns these into metrics and log lines). */
export type SharedLimiterEvent =
  | { kind: 'claimed'; tokens: number; factor: number }
  /** A claim found the account set's budget spent for now; the caller waits `ms`. */
  | { kind: 'wait'; ms: number }
  /** This process lowered the shared pace (a 429 / 5007 it received). */
  | { kind: 'lowered'; factor: number }
  /** The store failed: calls are paced by the local limiter until it answers again. */
  | { kind: 'fallback'; error: unknown }
  | { kind: 'restored' };

export interface SharedRateLimiterOptions {
  store: CallBudgetStore;
  /** The account set (docs/quota.md: family + account, never the process). */
  accountSet: string;
  policy: BudgetPolicy;
  /** Call starts reserved per store round trip at most. */
  maxBatch?: number;
  /** Paces the calls while the store does not answer (the per-process limiter). */
  fallback: RateLimiter;
  onEvent?: (event: SharedLimiterEvent) => void;
  /** After a failed claim, calls go straight to the fallback this long before the store is tried again. */
  storeRetryMs?: number;
}

/**
 * The client side of the shared budget: reserves call start times in small batches from the
 * store and lets each caller go at its reserved time (callers served in arrival order). A
 * throttled answer is reported to the store, so it slows every process of the account set.
 */
export class SharedRateLimiter implements RateLimiter {
  private slots: number[] = [];
  private waiting = 0;
  private tail: Promise<void> = Promise.resolve();
  private degraded = false;
  private pausedUntil = 0;
  private storeRetryAt = 0;
  private gapMs: number;
  private readonly maxBatch: number;

  constructor(
    private readonly options: SharedRateLimiterOptions,
    private readonly clock: Clock = systemClock,
  ) {
    this.maxBatch = Math.max(1, options.maxBatch ?? 4);
    this.gapMs = 60_000 / options.policy.perMinute;
  }

  /** Whether calls are paced locally because the store failed. */
  get usingFallback(): boolean {
    return this.degraded;
  }

  acquire(): Promise<void> {
    this.waiting++;
    const turn = this.tail.then(() => this.next());
    this.tail = turn.catch(() => undefined);
    return turn.finally(() => this.waiting--);
  }

  onSuccess(): void {
    if (this.degraded) this.options.fallback.onSuccess();
  }

  onThrottled(retryAfterMs?: number): void {
    // slots reserved at the old pace are dropped: they would arrive into the gateway's refusal
    this.slots = [];
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + (retryAfterMs ?? this.gapMs));
    this.options.fallback.onThrottled(retryAfterMs);
    const { store, accountSet, policy, onEvent } = this.options;
    store.reportThrottled(accountSet, retryAfterMs, policy).then(
      (result) => {
        if (result.lowered) onEvent?.({ kind: 'lowered', factor: result.factor });
      },
      (error: unknown) => this.fail(error),
    );
  }

  private async next(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      if (await sleptUntil(this.clock, this.pausedUntil, now)) continue;
      // a slot used much later than reserved would crowd the next process's slot: drop it
      while (this.slots.length > 0 && this.slots[0] < now - this.gapMs) this.slots.shift();
      const slot = this.slots.shift();
      if (slot !== undefined) {
        if (slot > now) await this.clock.sleep(slot - now);
        return;
      }
      const { store, accountSet, policy, onEvent, fallback } = this.options;
      if (this.degraded && now < this.storeRetryAt) return fallback.acquire();
      let grant;
      try {
        grant = await store.claim(accountSet, Math.min(this.maxBatch, this.waiting), policy);
      } catch (error) {
        this.fail(error);
        return fallback.acquire();
      }
      if (this.degraded) {
        this.degraded = false;
        onEvent?.({ kind: 'restored' });
      }
      // the store's delays are from its now, which was before the answer arrived: never early
      const at = this.clock.now();
      if (grant.granted === 0) {
        onEvent?.({ kind: 'wait', ms: grant.retryInMs });
        await this.clock.sleep(grant.retryInMs);
        continue;
      }
      this.gapMs = 60_000 / (policy.perMinute * grant.factor);
      onEvent?.({ kind: 'claimed', tokens: grant.granted, factor: grant.factor });
      this.slots = grant.delaysMs.map((delay) => at + Math.max(0, delay));
    }
  }

  private fail(error: unknown): void {
    this.storeRetryAt = this.clock.now() + (this.options.storeRetryMs ?? 5000);
    if (!this.degraded) {
      this.degraded = true;
      this.options.onEvent?.({ kind: 'fallback', error });
    }
  }
}
