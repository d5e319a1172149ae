import { env, envRule } from './env-schema';
import { consumerEnv, databaseEnv, httpEnv, kafkaEnv, serviceEnv } from './common.config';

/** The Xingchen API families (`v1` legacy 精斗云/星辰 API, `v2` open platform); see docs/xingchen.md. */
export const XINGCHEN_API_VALUES = ['v1', 'v2'] as const;

const present = (values: Readonly<Record<string, unknown>>, name: string): boolean =>
  typeof values[name] === 'string' && values[name] !== '';

/**
 * Which credentials the chosen family needs: V1 logs a user in (`/auth/user/access_token`), V2 signs
 * at the gateway and uses an app-token of the account set (static, or pushed by push_app_authorize).
 */
export function xingchenFamilyProblems(values: Readonly<Record<string, unknown>>): string[] {
  const api = values.XINGCHEN_API;
  if (api === 'v1') {
    const missing = ['XINGCHEN_USERNAME', 'XINGCHEN_PASSWORD'].filter((name) => !present(values, name));
    return missing.length > 0
      ? [`XINGCHEN_API=v1 needs ${missing.join(' and ')} (the 精斗云/星辰 user the legacy API logs in as)`]
      : [];
  }
  if (api === 'v2') {
    if (present(values, 'XINGCHEN_OUTER_INSTANCE_ID')) return [];
    const missing = ['XINGCHEN_APP_KEY', 'XINGCHEN_APP_SECRET', 'XINGCHEN_DOMAIN'].filter(
      (name) => !present(values, name),
    );
    return missing.length > 0
      ? [
          `XINGCHEN_API=v2 needs XINGCHEN_OUTER_INSTANCE_ID (authorization pushed by push_app_authorize) or all of XINGCHEN_APP_KEY, XINGCHEN_APP_SECRET, XINGCHEN_DOMAIN (missing: ${missing.join(', ')})`,
        ]
      : [];
  }
  return []; // XINGCHEN_API itself failed its own check and is reported already
}

/** The Xingchen (Kingdee) connection of one tenant (account set), for either API family. */
export const xingchenClientEnv = {
  /** `v1`: legacy `/jdy/sal/*` with a user login; `v2`: open platform `/jdy/v2/*` (gateway signature + app-token). */
  XINGCHEN_API: env.oneOf(XINGCHEN_API_VALUES, { default: 'v1' }),
  XINGCHEN_BASE_URL: env.url({ default: 'https://api.kingdee.com', protocols: ['http', 'https'] }),
  /** The open.jdy.com developer app (both families). */
  XINGCHEN_CLIENT_ID: env.string(),
  XINGCHEN_CLIENT_SECRET: env.string({ secret: true }),
  /** V1: the 精斗云/星辰 user the legacy API logs in as. */
  XINGCHEN_USERNAME: env.optionalString(),
  XINGCHEN_PASSWORD: env.optionalString({ secret: true }),
  /** V1: the account set (accountId of /jdy/sys/accountGroup); required when the user has several. */
  XINGCHEN_ACCOUNT_ID: env.optionalString(),
  /** V2: the tenant's authorization; the client fetches app_key/app_secret/domain by push_app_authorize. */
  XINGCHEN_OUTER_INSTANCE_ID: env.optionalString(),
  /** V2 static credentials of the account set (instead of XINGCHEN_OUTER_INSTANCE_ID). */
  XINGCHEN_APP_KEY: env.optionalString(),
  XINGCHEN_APP_SECRET: env.optionalString({ secret: true }),
  /** V2: the tenant's domain, sent as X-GW-Router-Addr. */
  XINGCHEN_DOMAIN: env.optionalString(),
  /** The account set's API quota (calls per minute); the client stays below it. */
  XINGCHEN_RATE_LIMIT_PER_MINUTE: env.int({ default: 500, min: 1 }),
  /** How far below the quota the client's token bucket runs, in percent. */
  XINGCHEN_RATE_HEADROOM_PERCENT: env.int({ default: 5, min: 0, max: 90 }),
  /**
   * Pace calls by the account set's budget in PostgreSQL (DATABASE_URL), shared by every replica and
   * the CLI (docs/quota.md); false, or no database: each process paces itself at the full quota.
   */
  XINGCHEN_SHARED_QUOTA: env.bool({ default: true }),
  /** Call starts a process reserves from the shared budget per database round trip. */
  XINGCHEN_QUOTA_CLAIM_BATCH: env.int({ default: 4, min: 1, max: 64 }),
  /** Seconds for the shared pace to climb back from its lowest (after throttled answers) to the full pace. */
  XINGCHEN_QUOTA_RECOVERY_SECONDS: env.int({ default: 30, min: 1 }),
  /** Xingchen requests in flight at most. */
  XINGCHEN_MAX_CONCURRENCY: env.int({ default: 16, min: 1, max: 256 }),
  XINGCHEN_REQUEST_TIMEOUT_SECONDS: env.number({ default: 15, min: 0.1 }),
  /** Refresh the app-token / access token this long before it expires (at most a tenth of its lifetime). */
  XINGCHEN_TOKEN_REFRESH_MARGIN_SECONDS: env.int({ default: 300, min: 0 }),
  ...envRule(
    'XINGCHEN_API=v1 needs XINGCHEN_USERNAME and XINGCHEN_PASSWORD; XINGCHEN_API=v2 needs XINGCHEN_OUTER_INSTANCE_ID or all of XINGCHEN_APP_KEY, XINGCHEN_APP_SECRET, XINGCHEN_DOMAIN',
    xingchenFamilyProblems,
  ),
};

/**
 * apps/loader: normalized orders → Xingchen sal_order_save, idempotent through the ledger. Topic
 * and group names default to the documented ones (Topics / ConsumerGroups in @app/contracts).
 */
export const loaderEnv = {
  ...kafkaEnv,
  ...consumerEnv,
  /** Bills of one partition saved at once: the API quota, not a partition, is the bottleneck. */
  CONSUMER_KEY_CONCURRENCY: env.int({ default: 16, min: 1, max: 256 }),
  /** Bytes fetched per partition: small batches keep a quota-bound batch short. */
  CONSUMER_MAX_BYTES_PER_PARTITION: env.int({ default: 65536, min: 1024 }),
  ...databaseEnv,
  DATABASE_POOL_SIZE: env.int({ default: 20, min: 2, max: 200 }),
  ...serviceEnv,
  ...httpEnv(3003),
  ...xingchenClientEnv,
  NORMALIZED_TOPIC: env.string({ default: 'sales.order.normalized.v1' }),
  LOADER_GROUP_ID: env.string({ default: 'erpsync.loader' }),
  /** Orders worked on at once (each holds one database connection for its bill lock). */
  LOADER_MAX_IN_FLIGHT: env.int({ default: 16, min: 1, max: 256 }),
  /** Master data older than this is looked up again. */
  LOADER_MASTER_DATA_MAX_AGE_SECONDS: env.int({ default: 3600, min: 1 }),
  /** A number Xingchen does not know is not looked up again for this long. */
  LOADER_MASTER_DATA_NEGATIVE_TTL_SECONDS: env.int({ default: 60, min: 0 }),
};
