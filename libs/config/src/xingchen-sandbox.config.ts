import { env } from './env-schema';
import { serviceEnv } from './common.config';

/** apps/xingchen-sandbox: the Kingdee gateway + Xingchen stand-in (test and demo only). */
export const xingchenSandboxEnv = {
  LOG_LEVEL: serviceEnv.LOG_LEVEL,
  XINGCHEN_SANDBOX_PORT: env.port({ default: 18081 }),
  XINGCHEN_SANDBOX_HOST: env.string({ default: '0.0.0.0' }),
  XINGCHEN_SANDBOX_CLIENT_ID: env.string({ default: '100001' }),
  XINGCHEN_SANDBOX_CLIENT_SECRET: env.string({ default: 'sandbox-client-secret', secret: true }),
  XINGCHEN_SANDBOX_APP_KEY: env.string({ default: 'sandboxAppKey' }),
  XINGCHEN_SANDBOX_APP_SECRET: env.string({ default: 'sandbox-app-secret', secret: true }),
  XINGCHEN_SANDBOX_DOMAIN: env.string({ default: 'sandbox.jdy.local' }),
  /** JSON master data `{customers, materials, stores}`; unset: generated from the sandbox catalog. */
  XINGCHEN_SANDBOX_FIXTURE: env.optionalString(),
  XINGCHEN_SANDBOX_RATE_LIMIT_PER_MINUTE: env.int({ default: 500, min: 0 }),
  XINGCHEN_SANDBOX_TOKEN_TTL_SECONDS: env.int({ default: 86400, min: 1 }),
  XINGCHEN_SANDBOX_TOKEN_RATE_LIMIT_PER_MINUTE: env.int({ default: 60, min: 0 }),
  XINGCHEN_SANDBOX_LATENCY_MS: env.int({ default: 0, min: 0 }),
  XINGCHEN_SANDBOX_SAVE_LATENCY_MIN_MS: env.int({ default: 0, min: 0 }),
  XINGCHEN_SANDBOX_SAVE_LATENCY_MAX_MS: env.int({ default: 0, min: 0 }),
};
