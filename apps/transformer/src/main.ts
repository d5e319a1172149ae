import { loadConfigOrExit, transformerEnv } from '@app/config';
import { loadMappingFile, MappingConfigError, type MappingRules } from '@app/mapping';
import { createTransformerApp } from './transformer.app';

async function main(): Promise<void> {
  const config = loadConfigOrExit('transformer', transformerEnv);
  let rules: MappingRules;
  try {
    rules = loadMappingFile(config.MAPPING_FILE);
  } catch (error) {
    if (!(error instanceof MappingConfigError)) throw error;
    process.stderr.write(`transformer: ${error.message}\n`);
    process.exit(1);
  }
  const app = await createTransformerApp(config, rules);
  const shutdownTimeoutMs = config.SHUTDOWN_TIMEOUT_SECONDS * 1000;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => setTimeout(() => process.exit(1), shutdownTimeoutMs).unref());
  }
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `transformer: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
