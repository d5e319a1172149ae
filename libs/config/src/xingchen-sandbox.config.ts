import { env } from './env-schema';
import { serviceEnv } from './common.config';

/** apps/xingchen-sandbox: the Kingdee gateway + Xingchen stand-in, V1 and V2 at once (test and demo only). */
export const xingchenSandboxEnv = {
  LOG_LEVEL: serviceEnv.LOG_LEVEL,
  XINGCHEN_SANDBOX_PORT: env.port({ default: 18081 }),
  XINGCHEN_SANDBOX_HOST: env.string({ default: '0.0.0.0' }),
  /** The developer app (both families). */
  XINGCHEN_SANDBOX_CLIENT_ID: env.string({ default: '100001' }),
  XINGCHEN_SANDBOX_CLIENT_SECRET: env.string({ default: 'sandbox-client-secret', secret: true }),
  /** V1 login. */
  XINGCHEN_SANDBOX_USERNAME: env.string({ default: 'sandbox-user' }),
  XINGCHEN_SANDBOX_PASSWORD: env.string({ default: 'sandbox-password', secret: true }),
  /** The default account set (V1 headers accountId/groupName; V2 push_app_authorize). */
  XINGCHEN_SANDBOX_ACCOUNT_ID: env.string({ default: '1000000001' }),
  XINGCHEN_SANDBOX_GROUP_NAME: env.string({ default: 'sandbox-group' }),
  /** More V1 account sets, `accountId:groupName` comma-separated (own orders, same master data). */
  XINGCHEN_SANDBOX_EXTRA_ACCOUNT_SETS: env.optionalString(),
  XINGCHEN_SANDBOX_V1_TOKEN_TTL_SECONDS: env.int({ default: 7200, min: 1 }),
  /** V2 authorisation. */
  XINGCHEN_SANDBOX_APP_KEY: env.string({ default: 'sandboxAppKey' }),
  XINGCHEN_SANDBOX_APP_SECRET: env.string({ default: 'sandbox-app-secret', secret: true }),
  XINGCHEN_SANDBOX_DOMAIN: env.string({ default: 'sandbox.jdy.local' }),
  XINGCHEN_SANDBOX_OUTER_INSTANCE_ID: env.string({ default: 'sandbox-outer-instance' }),
  /** Rotate the V2 app_secret every N seconds; 0 = never. */
  XINGCHEN_SANDBOX_SECRET_ROTATION_SECONDS: env.int({ default: 0, min: 0 }),
  /** JSON master data `{customers, materials, stores}`; unset: generated from the sandbox catalog. */
  XINGCHEN_SANDBOX_FIXTURE: env.optionalString(),
  XINGCHEN_SANDBOX_RATE_LIMIT_PER_MINUTE: env.int({ default: 500, min: 0 }),
  /** V2 app-token lifetime. */
  XINGCHEN_SANDBOX_TOKEN_TTL_SECONDS: env.int({ default: 86400, min: 1 }),
  XINGCHEN_SANDBOX_TOKEN_RATE_LIMIT_PER_MINUTE: env.int({ default: 60, min: 0 }),
  XINGCHEN_SANDBOX_LATENCY_MS: env.int({ default: 0, min: 0 }),
  XINGCHEN_SANDBOX_SAVE_LATENCY_MIN_MS: env.int({ default: 0, min: 0 }),
  XINGCHEN_SANDBOX_SAVE_LATENCY_MAX_MS: env.int({ default: 0, min: 0 }),
};
