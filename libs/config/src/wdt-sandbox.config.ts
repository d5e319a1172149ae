import { env, type EnvVar } from './env-schema';

/**
 * Credentials the WDT sandbox accepts unless told otherwise. The extractor's WDT_* variables default
 * to the same values so that a local demo works out of the box; production sets real ones.
 */
export const WDT_SANDBOX_DEFAULTS = {
  sid: 'erpsync-sandbox',
  appKey: 'erpsync-appkey',
  appSecret: 'erpsync-appsecret',
  qimenAppKey: '23000001',
  qimenSecret: 'erpsync-qimen-secret',
  targetAppKey: '21363512',
} as const;

type WdtCredential = keyof typeof WDT_SANDBOX_DEFAULTS;
const SECRET_CREDENTIALS: ReadonlySet<WdtCredential> = new Set(['appSecret', 'qimenSecret']);

/**
 * The six WDT credentials under a service's own variable names (in the order given), each
 * defaulting to the sandbox's value; the two secrets are marked secret.
 */
export function wdtCredentialsEnv<const N extends Record<WdtCredential, string>>(
  names: N,
): { [K in WdtCredential as N[K]]: EnvVar<string> } {
  const entries = (Object.keys(names) as WdtCredential[]).map((key) => [
    names[key],
    env.string({
      default: WDT_SANDBOX_DEFAULTS[key],
      ...(SECRET_CREDENTIALS.has(key) ? { secret: true } : {}),
    }),
  ]);
  return Object.fromEntries(entries) as { [K in WdtCredential as N[K]]: EnvVar<string> };
}

/** apps/wdt-sandbox: a local stand-in for the WDT order query API (tests and the demo). */
export const wdtSandboxEnv = {
  WDT_SANDBOX_PORT: env.port({ default: 18080 }),
  WDT_SANDBOX_HOST: env.string({ default: '0.0.0.0' }),
  ...wdtCredentialsEnv({
    sid: 'WDT_SANDBOX_SID',
    appKey: 'WDT_SANDBOX_APPKEY',
    appSecret: 'WDT_SANDBOX_APPSECRET',
    qimenAppKey: 'WDT_SANDBOX_QIMEN_APP_KEY',
    qimenSecret: 'WDT_SANDBOX_QIMEN_SECRET',
    targetAppKey: 'WDT_SANDBOX_TARGET_APP_KEY',
  }),
  /** `{"trades": [...]}` in the response shape, served instead of generated trades. */
  WDT_SANDBOX_FIXTURE: env.optionalString(),
  WDT_SANDBOX_SEED: env.int({ default: 42 }),
  WDT_SANDBOX_TRADES: env.int({ default: 2000, min: 0, max: 1_000_000 }),
  /** Generated trades are created over this many seconds before start-up ("a day of orders"). */
  WDT_SANDBOX_HISTORY_SECONDS: env.int({ default: 86400, min: 60 }),
  /** true: every generated version lies before start-up (a finished day); false: orders keep moving as time passes. */
  WDT_SANDBOX_SETTLED: env.bool({ default: false }),
  WDT_SANDBOX_MAX_SPAN_SECONDS: env.int({ default: 3600, min: 1 }),
  WDT_SANDBOX_RATE_LIMIT_PER_MINUTE: env.int({ default: 60, min: 1 }),
  WDT_SANDBOX_MAX_SKEW_SECONDS: env.int({ default: 300, min: 0 }),
  WDT_SANDBOX_LATENCY_MS: env.int({ default: 0, min: 0 }),
  /** Trades filed longer ago than this are served by `his_trade_query.php` only (native route). */
  WDT_SANDBOX_ARCHIVE_AFTER_DAYS: env.int({ default: 90, min: 1, max: 3650 }),
  LOG_LEVEL: env.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, {
    default: 'info',
  }),
};
