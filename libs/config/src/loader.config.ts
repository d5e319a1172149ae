import { env } from './env-schema';
import { consumerEnv, databaseEnv, httpEnv, kafkaEnv, serviceEnv } from './common.config';

/** The Xingchen (Kingdee gateway) connection of one tenant (account set). */
export const xingchenClientEnv = {
  XINGCHEN_BASE_URL: env.url({ default: 'https://api.kingdee.com', protocols: ['http', 'https'] }),
  XINGCHEN_CLIENT_ID: env.string(),
  XINGCHEN_CLIENT_SECRET: env.string({ secret: true }),
  XINGCHEN_APP_KEY: env.string(),
  XINGCHEN_APP_SECRET: env.string({ secret: true }),
  /** The tenant's domain, sent as X-GW-Router-Addr. */
  XINGCHEN_DOMAIN: env.string(),
  /** The account set's API quota (calls per minute); the client stays below it. */
  XINGCHEN_RATE_LIMIT_PER_MINUTE: env.int({ default: 500, min: 1 }),
  /** How far below the quota the client's token bucket runs, in percent. */
  XINGCHEN_RATE_HEADROOM_PERCENT: env.int({ default: 5, min: 0, max: 90 }),
  /** Xingchen requests in flight at most. */
  XINGCHEN_MAX_CONCURRENCY: env.int({ default: 16, min: 1, max: 256 }),
  XINGCHEN_REQUEST_TIMEOUT_SECONDS: env.number({ default: 15, min: 0.1 }),
  /** Refresh the app-token this long before it expires (at most a tenth of its lifetime). */
  XINGCHEN_TOKEN_REFRESH_MARGIN_SECONDS: env.int({ default: 300, min: 0 }),
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
