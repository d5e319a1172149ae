import { ConfigValidationError, type EnvConfig, type xingchenClientEnv } from '@app/config';
import { type XingchenApiFamily } from './sales-order';

/** V1 (精斗云/星辰 legacy API): a user login and the account set it works in. */
export interface XingchenV1Config {
  api: 'v1';
  /** The 精斗云/星辰 user (`/auth/user/access_token` username / password). */
  username: string;
  password: string;
  /** The account set (`accountId` of `/jdy/sys/accountGroup`); required when the user has several. */
  accountId?: string;
}

/** V2 (open platform): the account set's app credentials, static or pushed by push_app_authorize. */
export type XingchenV2Credentials =
  | { kind: 'static'; appKey: string; appSecret: string; domain: string }
  /** The client fetches app_key / app_secret / domain itself (and again once when the secret rotated). */
  | { kind: 'authorize'; outerInstanceId: string };

export interface XingchenV2Config {
  api: 'v2';
  credentials: XingchenV2Credentials;
}

export type XingchenFamilyConfig = XingchenV1Config | XingchenV2Config;

/** Connection and flow-control settings of one tenant (account set). */
export interface XingchenClientConfig {
  /** Gateway, e.g. `https://api.kingdee.com` (both families). */
  baseUrl: string;
  /** The open.jdy.com developer app (both families). */
  clientId: string;
  clientSecret: string;
  /** Which API family, with its own credentials. */
  family: XingchenFamilyConfig;
  /** The account set's API quota (calls per minute). */
  rateLimitPerMinute: number;
  /** Stay this many percent below the quota (default 5). */
  rateHeadroomPercent?: number;
  /** Requests in flight at most. */
  maxConcurrency: number;
  requestTimeoutMs: number;
  /** Renew the token (V1 access_token, V2 app-token) this long before it expires (capped at a tenth of its lifetime). */
  tokenRefreshMarginMs: number;
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

const need = (name: string, value: string | undefined): string => {
  // loadEnv's family rule reports these at boot; this only guards a config built some other way
  if (value === undefined || value === '') throw new ConfigValidationError([`${name} is required`]);
  return value;
};

/** The family part of the config from the validated `XINGCHEN_*` variables. */
export function xingchenFamilyConfigFromEnv(
  config: EnvConfig<typeof xingchenClientEnv>,
): XingchenFamilyConfig {
  const api: XingchenApiFamily = config.XINGCHEN_API;
  if (api === 'v1')
    return {
      api,
      username: need('XINGCHEN_USERNAME', config.XINGCHEN_USERNAME),
      password: need('XINGCHEN_PASSWORD', config.XINGCHEN_PASSWORD),
      ...(config.XINGCHEN_ACCOUNT_ID ? { accountId: config.XINGCHEN_ACCOUNT_ID } : {}),
    };
  if (config.XINGCHEN_OUTER_INSTANCE_ID)
    return { api, credentials: { kind: 'authorize', outerInstanceId: config.XINGCHEN_OUTER_INSTANCE_ID } };
  return {
    api,
    credentials: {
      kind: 'static',
      appKey: need('XINGCHEN_APP_KEY', config.XINGCHEN_APP_KEY),
      appSecret: need('XINGCHEN_APP_SECRET', config.XINGCHEN_APP_SECRET),
      domain: need('XINGCHEN_DOMAIN', config.XINGCHEN_DOMAIN),
    },
  };
}

/** Client config from the validated `XINGCHEN_*` variables (the xingchenClientEnv schema). */
export const xingchenClientConfigFromEnv = (
  config: EnvConfig<typeof xingchenClientEnv>,
): XingchenClientConfig => ({
  baseUrl: config.XINGCHEN_BASE_URL,
  clientId: config.XINGCHEN_CLIENT_ID,
  clientSecret: config.XINGCHEN_CLIENT_SECRET,
  family: xingchenFamilyConfigFromEnv(config),
  rateLimitPerMinute: config.XINGCHEN_RATE_LIMIT_PER_MINUTE,
  rateHeadroomPercent: config.XINGCHEN_RATE_HEADROOM_PERCENT,
  maxConcurrency: config.XINGCHEN_MAX_CONCURRENCY,
  requestTimeoutMs: Math.round(config.XINGCHEN_REQUEST_TIMEOUT_SECONDS * 1000),
  tokenRefreshMarginMs: config.XINGCHEN_TOKEN_REFRESH_MARGIN_SECONDS * 1000,
});
