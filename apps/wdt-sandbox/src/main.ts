import { readFileSync } from 'node:fs';
import { loadConfigOrExit, wdtSandboxEnv } from '@app/config';
import { createLogger } from '@app/observability';
import { closeOnSignals } from '@app/sandbox-catalog';
import { createWdtSandbox, parseFixture } from './wdt-sandbox';

/** `./erpsync service wdt-sandbox` (or `node scripts/start.js wdt-sandbox`): the WDT sandbox as a standalone server. */
async function main(): Promise<void> {
  const config = loadConfigOrExit('wdt-sandbox', wdtSandboxEnv);
  const logger = createLogger('wdt-sandbox', config.LOG_LEVEL);
  const trades = config.WDT_SANDBOX_FIXTURE
    ? parseFixture(readFileSync(config.WDT_SANDBOX_FIXTURE, 'utf8'))
    : undefined;
  const sandbox = createWdtSandbox({
    credentials: {
      sid: config.WDT_SANDBOX_SID,
      appKey: config.WDT_SANDBOX_APPKEY,
      appSecret: config.WDT_SANDBOX_APPSECRET,
      qimenAppKey: config.WDT_SANDBOX_QIMEN_APP_KEY,
      qimenSecret: config.WDT_SANDBOX_QIMEN_SECRET,
      targetAppKey: config.WDT_SANDBOX_TARGET_APP_KEY,
    },
    trades,
    generator: {
      seed: config.WDT_SANDBOX_SEED,
      count: config.WDT_SANDBOX_TRADES,
      historySeconds: config.WDT_SANDBOX_HISTORY_SECONDS,
      settled: config.WDT_SANDBOX_SETTLED,
    },
    maxSpanSeconds: config.WDT_SANDBOX_MAX_SPAN_SECONDS,
    maxSkewSeconds: config.WDT_SANDBOX_MAX_SKEW_SECONDS,
    archiveAfterDays: config.WDT_SANDBOX_ARCHIVE_AFTER_DAYS,
    faults: {
      rateLimitPerMinute: config.WDT_SANDBOX_RATE_LIMIT_PER_MINUTE,
      latencyMs: config.WDT_SANDBOX_LATENCY_MS,
    },
  });
  await sandbox.listen(config.WDT_SANDBOX_PORT, config.WDT_SANDBOX_HOST);
  logger.info(
    {
      port: sandbox.port,
      trades: sandbox.store.size,
      source: config.WDT_SANDBOX_FIXTURE ? 'fixture' : 'generator',
      seed: config.WDT_SANDBOX_SEED,
      sid: sandbox.credentials.sid,
      appkey: sandbox.credentials.appKey,
      qimenAppKey: sandbox.credentials.qimenAppKey,
      targetAppKey: sandbox.credentials.targetAppKey,
    },
    'wdt sandbox listening',
  );
  closeOnSignals('wdt sandbox', logger, () => sandbox.close());
}

void main();
