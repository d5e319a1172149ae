import { type EnvConfig, type xingchenClientEnv } from '@app/config';
/** Connection and flow-control settings of one tenant (account set). */
export interface XingchenClientConfig {
  /** Gateway, e.g. `https://api.kingdee.com`. */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  appKey: string;
  appSecret: string;
  /** The tenant's domain: `X-GW-Router-Addr`. */
  domain: string;
  /** The account set's API quota (calls per minute). */
  rateLimitPerMinute: number;
  /** Stay this many percent below the quota (default 5). */
  rateHeadroomPercent?: number;
  /** Requests in flight at most. */
  maxConcurrency: number;
  requestTimeoutMs: number;
  /** Refresh the app-token this long before it expires (capped at a tenth of its lifetime). */
  tokenRefreshMarginMs: number;
}

/** A line of `sal_order_save`'s `material_entity`. */
export interface SalesOrderLineBody {
  materialid_id: string;
  stockid_id: string;
  qty: string;
  unit_id: string;
  taxprice: string;
  is_free: boolean;
  cess: string;
}

/** The flat body of `POST /jdy/sal/sal_order_save` (custom fields like `custom_field…_number` as extra keys). */
export interface SalesOrderBody {
  id?: string;
  billno: string;
  billdate: string;
  customerid_id: string;
  remark?: string;
  material_entity: SalesOrderLineBody[];
  [customField: string]: unknown;
}

export interface SaveResult {
  id: string;
}

export interface XingchenCustomer {
  id: string;
  number: string;
  name: string;
  enabled: boolean;
}

export type XingchenStore = XingchenCustomer;

export interface XingchenMaterial {
  id: string;
  number: string;
  name: string;
  baseUnitId: string;
  /** Every unit a line may use: the base unit and the fixed auxiliary units. */
  unitIds: string[];
  enabled: boolean;
}

/** A row of the sales-order list. */
export interface XingchenSalesOrderSummary {
  id: string;
  billno: string;
}

/** Client config from the validated `XINGCHEN_*` variables (the xingchenClientEnv schema). */
export const xingchenClientConfigFromEnv = (
  config: EnvConfig<typeof xingchenClientEnv>,
): XingchenClientConfig => ({
  baseUrl: config.XINGCHEN_BASE_URL,
  clientId: config.XINGCHEN_CLIENT_ID,
  clientSecret: config.XINGCHEN_CLIENT_SECRET,
  appKey: config.XINGCHEN_APP_KEY,
  appSecret: config.XINGCHEN_APP_SECRET,
  domain: config.XINGCHEN_DOMAIN,
  rateLimitPerMinute: config.XINGCHEN_RATE_LIMIT_PER_MINUTE,
  rateHeadroomPercent: config.XINGCHEN_RATE_HEADROOM_PERCENT,
  maxConcurrency: config.XINGCHEN_MAX_CONCURRENCY,
  requestTimeoutMs: Math.round(config.XINGCHEN_REQUEST_TIMEOUT_SECONDS * 1000),
  tokenRefreshMarginMs: config.XINGCHEN_TOKEN_REFRESH_MARGIN_SECONDS * 1000,
});
