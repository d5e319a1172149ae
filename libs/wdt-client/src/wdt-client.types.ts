import { type EnvConfig, type wdtClientEnv } from '@app/config';
import { type WdtTrade, type WdtTradeProblemReason } from '@app/contracts';
import { type Now } from '@app/runtime';

export type WdtRoute = 'qimen' | 'openapi';

/** The credentials of one WDT seller on both routes (what the sandbox checks, too). */
export interface WdtCredentials {
  sid: string;
  /** Native open API appkey / appsecret. */
  appKey: string;
  appSecret: string;
  /** Qimen app key / secret and WDT's key on Qimen. */
  qimenAppKey: string;
  qimenSecret: string;
  targetAppKey: string;
}

export interface WdtClientOptions extends WdtCredentials {
  route: WdtRoute;
  /** e.g. `http://127.0.0.1:18080`; the route's path is appended. */
  baseUrl: string;
  timeoutMs?: number;
  /** Client-side quota; default 60 (WDT's reported limit per appkey). */
  rateLimitPerMinute?: number;
  /** Wait asked of the caller after a 1012; default 30 000. */
  rateLimitBackoffMs?: number;
  /** Clock for the `timestamp` parameter (tests move it). */
  now?: Now;
  /** Injected for unit tests; default the global fetch. */
  fetch?: typeof fetch;
}

/** Business parameters of `trade.query` (camelCase here, snake_case on the wire). */
export interface TradeQuery {
  /** `yyyy-MM-dd HH:mm:ss` Beijing time, inclusive. */
  startTime?: string;
  endTime?: string;
  status?: number;
  shopNo?: string;
  warehouseNo?: string;
  tradeNo?: string;
  srcTid?: string;
  logisticsNo?: string;
  goodstax?: 0 | 1;
  hasLogisticsNo?: 0 | 1 | 2;
  src?: 0 | 1;
  pageNo?: number;
  pageSize?: number;
  /**
   * Read WDT's archive of old orders: `his_trade_query.php` on the native route (same parameters
   * and answer). The Qimen route has no archive method we know of: there the flag is ignored.
   */
  archive?: boolean;
}

/** A trade WDT sent that breaks the tolerant contract (`parseWdtTrade`): reported, never dropped silently. */
export interface InvalidTrade {
  /** As the parser reads it (a JSON number is an id too); null when even that is missing. */
  tradeNo: string | null;
  modified: string | null;
  /** Index of the trade in its page's `trades` (how a trade without trade_no is still counted). */
  position: number;
  /** Every problem in one sentence, e.g. `required field missing: goods_list.0.spec_no`. */
  reason: string;
  /** The DLQ reason vocabulary of the mapping: missing_field, schema_violation, bad_datetime. */
  problemReason: WdtTradeProblemReason;
  raw: unknown;
}

export interface TradePage {
  pageNo: number;
  pageSize: number;
  totalCount: number;
  /** Valid trades, parsed: the fields the mapping reads normalised, unknown fields kept. */
  trades: WdtTrade[];
  /** The same trades exactly as WDT sent them (same order as `trades`): what the raw topic carries. */
  sent: unknown[];
  invalid: InvalidTrade[];
}

/** Client options from the validated `WDT_*` variables (the wdtClientEnv schema). */
export function wdtClientOptionsFromEnv(
  config: EnvConfig<typeof wdtClientEnv>,
  overrides: Partial<WdtClientOptions> = {},
): WdtClientOptions {
  return {
    route: config.WDT_ROUTE,
    baseUrl: config.WDT_BASE_URL,
    sid: config.WDT_SID,
    appKey: config.WDT_APP_KEY,
    appSecret: config.WDT_APP_SECRET,
    qimenAppKey: config.WDT_QIMEN_APP_KEY,
    qimenSecret: config.WDT_QIMEN_APP_SECRET,
    targetAppKey: config.WDT_TARGET_APP_KEY,
    timeoutMs: config.WDT_TIMEOUT_SECONDS * 1000,
    rateLimitPerMinute: config.WDT_RATE_LIMIT_PER_MINUTE,
    rateLimitBackoffMs: config.WDT_RATE_LIMIT_BACKOFF_SECONDS * 1000,
    ...overrides,
  };
}
