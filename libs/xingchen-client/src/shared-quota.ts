import { type Logger, type Metrics } from '@app/observability';
import {
  AdaptiveRateLimiter,
  SharedRateLimiter,
  type CallBudgetStore,
  type Clock,
  type RateLimiter,
} from '@app/runtime';
import { type EnvConfig, type xingchenClientEnv } from '@app/config';
import { type XingchenClientConfig } from './xingchen.types';

/** The shared budget of the account set (docs/quota.md), as a client is given it. */
export interface SharedQuotaOptions {
  store: CallBudgetStore;
  /** Call starts reserved per round trip to the store (default 4). */
  claimBatch?: number;
  /** How far ahead starts are reserved (default 1000 ms). */
  horizonMs?: number;
  /** Seconds from the lowest pace back to the full pace (default 30). */
  recoverySeconds?: number;
  /** Called by the client's close (the store's own connections). */
  close?: () => Promise<void> | void;
}

/** The shared-quota settings of the validated `XINGCHEN_*` variables, or undefined when it is off. */
export function sharedQuotaFromEnv(
  config: EnvConfig<typeof xingchenClientEnv>,
  store: CallBudgetStore | undefined,
  close?: () => Promise<void> | void,
): SharedQuotaOptions | undefined {
  if (!config.XINGCHEN_SHARED_QUOTA || !store) return undefined;
  return {
    store,
    claimBatch: config.XINGCHEN_QUOTA_CLAIM_BATCH,
    recoverySeconds: config.XINGCHEN_QUOTA_RECOVERY_SECONDS,
    close,
  };
}

/**
 * The key of the account set whose quota a client spends: the gateway, the family and the account
 * set's own identity (V1 accountId, or the user when it has one account set; V2 app key or the
 * outer instance id). Never the process: every replica and the CLI of one account set share it.
 */
export function accountSetKey(config: XingchenClientConfig): string {
  const host = new URL(config.baseUrl).host;
  const family = config.family;
  if (family.api === 'v1')
    return `v1:${host}:${family.accountId ? `account:${family.accountId}` : `user:${family.username}`}`;
  const credentials = family.credentials;
  return credentials.kind === 'static'
    ? `v2:${host}:app:${credentials.appKey}`
    : `v2:${host}:outer:${credentials.outerInstanceId}`;
}

/** The client's limiter: the account set's shared budget when given one, else the local bucket. */
export function createXingchenLimiter(
  config: XingchenClientConfig,
  metrics: Metrics,
  clock: Clock,
  logger: Logger | undefined,
  shared: SharedQuotaOptions | undefined,
): { limiter: RateLimiter; rate: () => number } {
  const perMinute = config.rateLimitPerMinute * ((100 - (config.rateHeadroomPercent ?? 5)) / 100);
  const local = new AdaptiveRateLimiter({ ratePerSecond: perMinute / 60 }, clock);
  const mode = (current: 'shared' | 'local') => {
    metrics.quotaMode.labels('shared').set(current === 'shared' ? 1 : 0);
    metrics.quotaMode.labels('local').set(current === 'local' ? 1 : 0);
  };
  if (!shared) {
    mode('local');
    logger?.warn(
      { perMinute },
      'xingchen shared quota off (XINGCHEN_SHARED_QUOTA=false or no DATABASE_URL): this process paces itself alone',
    );
    return { limiter: local, rate: () => local.currentRate };
  }
  const accountSet = accountSetKey(config);
  let factor = 1;
  const limiter = new SharedRateLimiter(
    {
      store: shared.store,
      accountSet,
      maxBatch: shared.claimBatch,
      fallback: local,
      policy: {
        perMinute,
        horizonMs: shared.horizonMs ?? 1000,
        decreaseFactor: 0.7,
        minFactor: 0.1,
        recoveryMs: (shared.recoverySeconds ?? 30) * 1000,
      },
      onEvent: (event) => {
        switch (event.kind) {
          case 'claimed':
            metrics.quotaTokensClaimed.inc(event.tokens);
            factor = event.factor;
            metrics.quotaPace.set(factor);
            return;
          case 'wait':
            metrics.quotaWaits.inc();
            return;
          case 'lowered':
            metrics.quotaLowerings.inc();
            factor = event.factor;
            metrics.quotaPace.set(factor);
            logger?.warn({ accountSet, pace: event.factor }, 'xingchen throttled: shared pace lowered');
            return;
          case 'fallback':
            mode('local');
            logger?.error(
              { accountSet, err: event.error },
              'xingchen shared quota unavailable: pacing with the local limiter (per process, not per account set)',
            );
            return;
          case 'restored':
            mode('shared');
            logger?.info({ accountSet }, 'xingchen shared quota available again');
            return;
        }
      },
    },
    clock,
  );
  mode('shared');
  metrics.quotaPace.set(1);
  logger?.info({ accountSet, perMinute }, 'xingchen calls paced by the shared quota of the account set');
  return {
    limiter,
    rate: () => (limiter.usingFallback ? local.currentRate : (perMinute / 60) * factor),
  };
}
