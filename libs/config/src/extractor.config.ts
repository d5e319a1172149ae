import { env } from './env-schema';
import { databaseEnv, httpEnv, kafkaEnv, serviceEnv } from './common.config';
import { wdtCredentialsEnv } from './wdt-sandbox.config';

/** WDT status codes accepted by WDT_STATUS_FILTER (`all` = no filter, the default: see mapping.md). */
const WDT_STATUS_CODES = [
  '5',
  '10',
  '12',
  '13',
  '15',
  '16',
  '19',
  '20',
  '21',
  '22',
  '25',
  '27',
  '30',
  '35',
  '40',
  '45',
  '50',
  '53',
  '55',
  '95',
  '100',
  '105',
  '110',
  '113',
] as const;

/** The WDT client: route, credentials (defaults = the sandbox's), timeouts and the call quota. */
export const wdtClientEnv = {
  WDT_ROUTE: env.oneOf(['qimen', 'openapi'] as const, { default: 'qimen' }),
  WDT_BASE_URL: env.url({ default: 'http://127.0.0.1:18080', protocols: ['http', 'https'] }),
  ...wdtCredentialsEnv({
    sid: 'WDT_SID',
    appKey: 'WDT_APP_KEY',
    appSecret: 'WDT_APP_SECRET',
    qimenAppKey: 'WDT_QIMEN_APP_KEY',
    qimenSecret: 'WDT_QIMEN_APP_SECRET',
    targetAppKey: 'WDT_TARGET_APP_KEY',
  }),
  WDT_TIMEOUT_SECONDS: env.number({ default: 30, min: 0.05, max: 600 }),
  WDT_RATE_LIMIT_PER_MINUTE: env.int({ default: 60, min: 1, max: 100000 }),
  /** Wait after a 1012 (called too often) before that call is tried again; WDT asks for ≥ 30 s. */
  WDT_RATE_LIMIT_BACKOFF_SECONDS: env.number({ default: 30, min: 0.05, max: 3600 }),
  WDT_PAGE_SIZE: env.int({ default: 100, min: 1, max: 100 }),
  WDT_STATUS_FILTER: env.oneOf(['all', ...WDT_STATUS_CODES] as const, { default: 'all' }),
  /**
   * Orders modified longer ago than this are served only by WDT's archive (`his_trade_query.php`,
   * native route): a resync or reconcile of an older range reads it. 90 is a decision (docs/wdt.md).
   */
  WDT_ARCHIVE_AFTER_DAYS: env.int({ default: 90, min: 1, max: 3650 }),
};

/** apps/extractor: polls WDT incrementally and publishes raw trades. */
export const extractorEnv = {
  ...kafkaEnv,
  ...databaseEnv,
  ...serviceEnv,
  ...httpEnv(3001),
  ...wdtClientEnv,
  POLL_INTERVAL_SECONDS: env.number({ default: 30, min: 0.05, max: 86400 }),
  WINDOW_OVERLAP_SECONDS: env.int({ default: 60, min: 0, max: 86400 }),
  SAFETY_LAG_SECONDS: env.int({ default: 10, min: 0, max: 86400 }),
  /** Longest window asked for (end − start); WDT allows at most 3600. */
  MAX_WINDOW_SPAN_SECONDS: env.int({ default: 3600, min: 1, max: 86400 }),
  /** Where a first run starts when there is no checkpoint: `yyyy-MM-dd HH:mm:ss` Beijing time. */
  INITIAL_CHECKPOINT: env.optionalString(),
  /** Without INITIAL_CHECKPOINT a first run starts this many seconds before now. */
  INITIAL_LOOKBACK_SECONDS: env.int({ default: 86400, min: 0 }),
  /** Windows fetched at once while catching up (a page waiting out a 1012 does not stall the others). */
  WINDOW_CONCURRENCY: env.int({ default: 32, min: 1, max: 1024 }),
  /** Page requests of one window in flight at once. */
  PAGE_CONCURRENCY: env.int({ default: 4, min: 1, max: 64 }),
  /** Trades fetched and not yet acknowledged by Kafka before fetching waits: bounds memory when Kafka lags. */
  MAX_UNACKED_TRADES: env.int({ default: 2000, min: 1, max: 1_000_000 }),
  /** Re-reads of a window whose total_count changed while paging before the cycle gives up and retries later. */
  WINDOW_REREAD_ATTEMPTS: env.int({ default: 5, min: 1, max: 100 }),
  RAW_TOPIC: env.string({ default: 'erp.wdt.trade.raw.v1' }),
  /** Name of the checkpoint row (one per WDT account / stream). */
  CHECKPOINT_NAME: env.string({ default: 'wdt.trade' }),
  LEASE_TTL_SECONDS: env.int({ default: 30, min: 2, max: 3600 }),
  INSTANCE_ID: env.optionalString(),
};
