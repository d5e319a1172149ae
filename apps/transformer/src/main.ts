import { loadConfigOrExit, transformerEnv } from '@app/config';
import { loadMappingFile, MappingConfigError, type MappingRules } from '@app/mapping';
import { runMain, serveUntilSignal } from '@app/observability';
import { createTransformerApp } from './transformer.app';

runMain('transformer', async () => {
  const config = loadConfigOrExit('transformer', transformerEnv);
  let rules: MappingRules;
  try {
    rules = loadMappingFile(config.MAPPING_FILE);
  } catch (error) {
    if (!(error instanceof MappingConfigError)) throw error;
    process.stderr.write(`transformer: ${error.message}\n`);
    process.exit(1);
  }
  await serveUntilSignal(await createTransformerApp(config, rules), config);
});
