import { ConfigValidationError } from '@app/config';
import { MappingConfigError } from '@app/mapping';
import { parseArgs, UsageError } from './args';
import { CHECK_USAGE, checkCommand } from './check.command';
import { DEMO_USAGE, demoCommand } from './demo.command';
import {
  migrateCommand,
  RECONCILE_USAGE,
  reconcileCommand,
  REPLAY_USAGE,
  replayCommand,
  RESYNC_USAGE,
  resyncCommand,
} from './ops.commands';

const USAGE = `erpsync — keeps Xingchen sales orders in step with WDT orders

  ${DEMO_USAGE}
  ${REPLAY_USAGE}
  ${RESYNC_USAGE}
  ${RECONCILE_USAGE}
  ${CHECK_USAGE}
  ./erpsync migrate
  ./erpsync service <extractor|transformer|loader|wdt-sandbox|xingchen-sandbox>   (one service in the foreground)
`;

const commands: Record<string, (args: ReturnType<typeof parseArgs>) => Promise<number>> = {
  demo: demoCommand,
  replay: replayCommand,
  resync: resyncCommand,
  reconcile: reconcileCommand,
  check: checkCommand,
  migrate: migrateCommand,
};

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (!args.command || args.command === 'help' || args.options.help) {
    process.stdout.write(USAGE);
    return args.command ? 0 : 2;
  }
  const command = commands[args.command];
  if (!command) throw new UsageError(`unknown command "${args.command}"`);
  return command(args);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) process.stderr.write(`erpsync: ${error.message}\n\n${USAGE}`);
    else if (error instanceof ConfigValidationError || error instanceof MappingConfigError)
      process.stderr.write(`erpsync: ${error.message}\n`);
    else
      process.stderr.write(
        `erpsync: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
