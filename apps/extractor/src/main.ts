import { extractorEnv, loadConfigOrExit } from '@app/config';
import { runMain, serveUntilSignal } from '@app/observability';
import { parseBackfillArgs, USAGE } from './backfill-args';
import { createExtractorApp } from './extractor.app';
import { ExtractorService } from './extractor.service';
import { parseInitialCheckpoint } from './extractor.tokens';

const fail = (message: string): never => {
  process.stderr.write(`extractor: ${message}\n`);
  process.exit(1);
};

async function main(): Promise<void> {
  const config = loadConfigOrExit('extractor', extractorEnv);
  const initial = parseInitialCheckpoint(config);
  if (typeof initial === 'string') fail(`invalid configuration:\n  - ${initial}`);
  const [command, ...rest] = process.argv.slice(2);

  if (command === 'backfill') {
    const range = parseBackfillArgs(rest);
    if (typeof range === 'string') return fail(range);
    const app = await createExtractorApp(config, { poll: false });
    const result = await app.get(ExtractorService).backfill(range.fromMs, range.toMs);
    process.stdout.write(`${JSON.stringify({ backfill: 'done', ...result })}\n`);
    await app.close();
    process.exit(0);
  }
  if (command !== undefined) fail(`unknown command "${command}". ${USAGE}`);

  await serveUntilSignal(await createExtractorApp(config), config);
}

runMain('extractor', main, 'failed');
