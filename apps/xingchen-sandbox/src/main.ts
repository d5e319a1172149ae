import { loadConfigOrExit, xingchenSandboxEnv } from '@app/config';
import { createLogger } from '@app/observability';
import { createXingchenSandbox } from './xingchen-sandbox';

/** Standalone: `./erpsync service xingchen-sandbox` (configuration: docs/xingchen.md). */
async function main(): Promise<void> {
  const config = loadConfigOrExit('xingchen-sandbox', xingchenSandboxEnv);
  const logger = createLogger('xingchen-sandbox', config.LOG_LEVEL);
  const sandbox = createXingchenSandbox({
    clientId: config.XINGCHEN_SANDBOX_CLIENT_ID,
    clientSecret: config.XINGCHEN_SANDBOX_CLIENT_SECRET,
    appKey: config.XINGCHEN_SANDBOX_APP_KEY,
    appSecret: config.XINGCHEN_SANDBOX_APP_SECRET,
    domain: config.XINGCHEN_SANDBOX_DOMAIN,
    fixture: config.XINGCHEN_SANDBOX_FIXTURE,
    faults: {
      rateLimitPerMinute: config.XINGCHEN_SANDBOX_RATE_LIMIT_PER_MINUTE,
      tokenTtlSeconds: config.XINGCHEN_SANDBOX_TOKEN_TTL_SECONDS,
      tokenRateLimitPerMinute: config.XINGCHEN_SANDBOX_TOKEN_RATE_LIMIT_PER_MINUTE,
      latencyMs: config.XINGCHEN_SANDBOX_LATENCY_MS,
      saveLatencyMs: {
        min: config.XINGCHEN_SANDBOX_SAVE_LATENCY_MIN_MS,
        max: Math.max(
          config.XINGCHEN_SANDBOX_SAVE_LATENCY_MIN_MS,
          config.XINGCHEN_SANDBOX_SAVE_LATENCY_MAX_MS,
        ),
      },
    },
  });
  const { url } = await sandbox.listen(config.XINGCHEN_SANDBOX_PORT, config.XINGCHEN_SANDBOX_HOST);
  logger.info(
    {
      url,
      clientId: sandbox.credentials.clientId,
      appKey: sandbox.credentials.appKey,
      domain: sandbox.credentials.domain,
      customers: sandbox.state.customers.size,
      materials: sandbox.state.materials.size,
      stores: sandbox.state.stores.size,
    },
    'xingchen sandbox listening',
  );
  const stop = (signal: string) => {
    logger.info({ signal }, 'xingchen sandbox stopping');
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`xingchen-sandbox: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
