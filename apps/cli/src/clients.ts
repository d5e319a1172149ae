import { createDataSource, ConnectingCallBudgetStore } from '@app/persistence';
import { createLogger, createServiceMetrics } from '@app/observability';
import { WdtClient, wdtClientOptionsFromEnv } from '@app/wdt-client';
import { sharedQuotaFromEnv, XingchenClient, xingchenClientConfigFromEnv } from '@app/xingchen-client';
import { cliReconcileEnv, loadCliEnv, type CliReconcileConfig } from './cli-config';

/**
 * WDT and Xingchen clients from the environment (plus overrides), as the services build them. The
 * Xingchen client spends the account set's shared quota (docs/quota.md) with the loader's
 * replicas, through a pool of its own opened on the first call.
 */
export function buildClients(overrides: Record<string, string> = {}): {
  config: CliReconcileConfig;
  wdt: WdtClient;
  xingchen: XingchenClient;
} {
  const config = loadCliEnv(cliReconcileEnv, overrides);
  const metrics = createServiceMetrics('cli', 'cli', 'cli');
  const wdt = new WdtClient(wdtClientOptionsFromEnv(config), metrics);
  const budget = config.DATABASE_URL
    ? new ConnectingCallBudgetStore(() =>
        createDataSource({ url: config.DATABASE_URL, poolSize: 2, applicationName: 'erpsync-cli-quota' }),
      )
    : undefined;
  const xingchen = new XingchenClient(xingchenClientConfigFromEnv(config), metrics, {
    // on stderr: the commands' own output stays on stdout
    logger: createLogger('cli', 'warn', process.stderr).child({ component: 'xingchen-client' }),
    sharedQuota: sharedQuotaFromEnv(config, budget, () => budget?.close()),
  });
  return { config, wdt, xingchen };
}
