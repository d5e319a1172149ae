import { createServiceMetrics } from '@app/observability';
import { WdtClient } from '@app/wdt-client';
import { XingchenClient } from '@app/xingchen-client';
import { cliReconcileEnv, loadCliEnv, type CliReconcileConfig } from './cli-config';

/** WDT and Xingchen clients from the environment (plus overrides), as the services build them. */
export function buildClients(overrides: Record<string, string> = {}): {
  config: CliReconcileConfig;
  wdt: WdtClient;
  xingchen: XingchenClient;
} {
  const config = loadCliEnv(cliReconcileEnv, overrides);
  const metrics = createServiceMetrics('cli', 'cli', 'cli');
  const wdt = new WdtClient(
    {
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
    },
    metrics,
  );
  const xingchen = new XingchenClient(
    {
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
    },
    metrics,
  );
  return { config, wdt, xingchen };
}
