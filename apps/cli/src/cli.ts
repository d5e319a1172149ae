import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigValidationError, loadEnv, processEnv, serviceEnv } from '@app/config';
import { MappingConfigError } from '@app/mapping';
import { repoRoot } from '@app/stack';
import {
  commandHelp,
  EXIT_CODES_HELP,
  ExitCode,
  parseCommandArgs,
  UsageError,
  usageLine,
  type CommandSpec,
} from './args';
import { CHECK_COMMAND } from './check.command';
import { CONSOLE_USER_COMMAND } from './console-user.command';
import { DEMO_COMMAND } from './demo.command';
import {
  MIGRATE_COMMAND,
  RECONCILE_COMMAND,
  REPLAY_COMMAND,
  RESYNC_COMMAND,
  SERVICE_COMMAND,
} from './ops.commands';

export const COMMANDS: CommandSpec[] = [
  DEMO_COMMAND,
  REPLAY_COMMAND,
  RESYNC_COMMAND,
  RECONCILE_COMMAND,
  CHECK_COMMAND,
  MIGRATE_COMMAND,
  CONSOLE_USER_COMMAND,
  SERVICE_COMMAND,
];

export function overview(): string {
  return [
    'erpsync — keeps Xingchen sales orders in step with WDT orders',
    '',
    'usage: ./erpsync <command> [options]      ./erpsync help <command>      ./erpsync --version',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(13)} ${c.summary}`),
    '',
    "Each command's --help shows its options, their defaults and the environment it reads.",
    EXIT_CODES_HELP,
    '',
  ].join('\n');
}

/** package.json's version and the git commit (when this is a checkout), e.g. `erpsync 0.1.0 (bab71b9)`. */
export function versionText(): string {
  const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const { BUILD_COMMIT } = loadEnv({ BUILD_COMMIT: serviceEnv.BUILD_COMMIT }, processEnv());
  let commit = BUILD_COMMIT === 'unknown' ? '' : BUILD_COMMIT;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    // not a checkout (or no git): the version alone
  }
  return `erpsync ${version}${commit ? ` (${commit})` : ''}\n`;
}

export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

const hint = (command?: CommandSpec) =>
  command
    ? `usage: ${usageLine(command)}\n(./erpsync ${command.name} --help for more)\n`
    : `(./erpsync --help for the commands)\n`;

/** The whole command line: returns the exit code (see ExitCode); writes only through `io`. */
export async function runCli(argv: string[], io: CliOutput): Promise<number> {
  const [word, ...rest] = argv;
  const find = (name: string | undefined) => COMMANDS.find((c) => c.name === name);
  if (word === undefined) {
    io.err(overview());
    return ExitCode.usage;
  }
  if (word === '--help' || word === '-h') {
    io.out(overview());
    return ExitCode.ok;
  }
  if (word === '--version' || word === '-V') {
    io.out(versionText());
    return ExitCode.ok;
  }
  if (word === 'help') {
    if (rest.length === 0) {
      io.out(overview());
      return ExitCode.ok;
    }
    const command = find(rest[0]);
    if (!command || rest.length > 1) {
      io.err(`erpsync: help: unknown command "${rest.join(' ')}"\n${hint()}`);
      return ExitCode.usage;
    }
    io.out(commandHelp(command));
    return ExitCode.ok;
  }
  const command = find(word);
  if (!command) {
    io.err(`erpsync: unknown command "${word}"\n${hint()}`);
    return ExitCode.usage;
  }
  try {
    const args = parseCommandArgs(command, rest);
    if (args === 'help') {
      io.out(commandHelp(command));
      return ExitCode.ok;
    }
    return await command.run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`erpsync: ${error.message}\n${hint(command)}`);
      return ExitCode.usage;
    }
    if (error instanceof ConfigValidationError || error instanceof MappingConfigError) {
      io.err(`erpsync: ${command.name}: ${error.message}\n`);
      return ExitCode.usage;
    }
    io.err(
      `erpsync: ${command.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return ExitCode.failure;
  }
}
