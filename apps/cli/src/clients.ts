import { createServiceMetrics } from '@app/observability';
import { WdtClient, wdtClientOptionsFromEnv } from '@app/wdt-client';
import { XingchenClient, xingchenClientConfigFromEnv } from '@app/xingchen-client';
import { cliReconcileEnv, loadCliEnv, type CliReconcileConfig } from './cli-config';

/** WDT and Xingchen clients from the environment (plus overrides), as the services build them. */
export function buildClients(overrides: Record<string, string> = {}): {
  config: CliReconcileConfig;
  wdt: WdtClient;
  xingchen: XingchenClient;
} {
  const config = loadCliEnv(cliReconcileEnv, overrides);
  const metrics = createServiceMetrics('cli', 'cli', 'cli');
  const wdt = new WdtClient(wdtClientOptionsFromEnv(config), metrics);
  const xingchen = new XingchenClient(xingchenClientConfigFromEnv(config), metrics);
  return { config, wdt, xingchen };
}
