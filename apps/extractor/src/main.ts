import { extractorEnv, loadConfigOrExit } from '@app/config';
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

  const app = await createExtractorApp(config);
  const shutdownTimeoutMs = config.SHUTDOWN_TIMEOUT_SECONDS * 1000;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => setTimeout(() => process.exit(1), shutdownTimeoutMs).unref());
  }
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `extractor: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
