import { loadConfigOrExit, xingchenSandboxEnv } from '@app/config';
import { createLogger } from '@app/observability';
import { closeOnSignals } from '@app/sandbox-catalog';
import { type AccountSet } from './sandbox-config';
import { createXingchenSandbox } from './xingchen-sandbox';

/** `accountId:groupName[,accountId:groupName…]` (XINGCHEN_SANDBOX_EXTRA_ACCOUNT_SETS). */
function parseAccountSets(text: string | undefined): AccountSet[] {
  if (!text) return [];
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const [accountId, groupName] = item.split(':').map((part) => part.trim());
      if (!accountId || !groupName)
        throw new Error(`XINGCHEN_SANDBOX_EXTRA_ACCOUNT_SETS: "${item}" is not accountId:groupName`);
      return { accountId, groupName };
    });
}

/** Standalone: `./erpsync service xingchen-sandbox` (configuration: docs/xingchen.md). */
async function main(): Promise<void> {
  const config = loadConfigOrExit('xingchen-sandbox', xingchenSandboxEnv);
  const logger = createLogger('xingchen-sandbox', config.LOG_LEVEL);
  const sandbox = createXingchenSandbox({
    clientId: config.XINGCHEN_SANDBOX_CLIENT_ID,
    clientSecret: config.XINGCHEN_SANDBOX_CLIENT_SECRET,
    username: config.XINGCHEN_SANDBOX_USERNAME,
    password: config.XINGCHEN_SANDBOX_PASSWORD,
    accountId: config.XINGCHEN_SANDBOX_ACCOUNT_ID,
    groupName: config.XINGCHEN_SANDBOX_GROUP_NAME,
    extraAccountSets: parseAccountSets(config.XINGCHEN_SANDBOX_EXTRA_ACCOUNT_SETS),
    appKey: config.XINGCHEN_SANDBOX_APP_KEY,
    appSecret: config.XINGCHEN_SANDBOX_APP_SECRET,
    domain: config.XINGCHEN_SANDBOX_DOMAIN,
    outerInstanceId: config.XINGCHEN_SANDBOX_OUTER_INSTANCE_ID,
    secretRotationSeconds: config.XINGCHEN_SANDBOX_SECRET_ROTATION_SECONDS,
    fixture: config.XINGCHEN_SANDBOX_FIXTURE,
    faults: {
      rateLimitPerMinute: config.XINGCHEN_SANDBOX_RATE_LIMIT_PER_MINUTE,
      tokenTtlSeconds: config.XINGCHEN_SANDBOX_TOKEN_TTL_SECONDS,
      v1TokenTtlSeconds: config.XINGCHEN_SANDBOX_V1_TOKEN_TTL_SECONDS,
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
  const { v1, v2 } = sandbox.credentials;
  logger.info(
    {
      url,
      clientId: v1.clientId,
      username: v1.username,
      accountIds: v1.accountSets.map((s) => s.accountId),
      appKey: v2.appKey,
      domain: v2.domain,
      outerInstanceId: v2.outerInstanceId,
      customers: sandbox.state.customers.size,
      materials: sandbox.state.materials.size,
      stores: sandbox.state.stores.size,
    },
    'xingchen sandbox listening',
  );
  closeOnSignals('xingchen sandbox', logger, () => sandbox.close());
}

// started through scripts/start.js (require.main is the launcher): always run
main().catch((error: unknown) => {
  process.stderr.write(`xingchen-sandbox: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
