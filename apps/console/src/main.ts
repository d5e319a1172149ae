import { resolve } from 'node:path';
import { consoleEnv, loadConfigOrExit } from '@app/config';
import { loadMappingFile, MappingConfigError, type MappingRules } from '@app/mapping';
import { runMain } from '@app/observability';
import { createConsoleApp } from './console.app';
import { ExtractorBackfillRunner } from './jobs/resync-runner';

runMain('console', async () => {
  const config = loadConfigOrExit('console', consoleEnv);
  let rules: MappingRules;
  try {
    rules = loadMappingFile(config.MAPPING_FILE);
  } catch (error) {
    if (!(error instanceof MappingConfigError)) throw error;
    process.stderr.write(`console: ${error.message}\n`);
    process.exit(1);
  }
  // dist/apps/console/src → the checkout (or the image's /app), where scripts/start.js is
  const app = await createConsoleApp(
    config,
    rules,
    new ExtractorBackfillRunner(resolve(__dirname, '..', '..', '..', '..')),
  );
  const shutdownTimeoutMs = config.SHUTDOWN_TIMEOUT_SECONDS * 1000;
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => setTimeout(() => process.exit(1), shutdownTimeoutMs).unref());
  await app.listen(config.CONSOLE_PORT, config.CONSOLE_HOST);
});
