import { hashPassword } from '@app/runtime';
import { stringOption, UsageError, type CommandSpec, type ParsedArgs } from './args';

const readStdin = async (): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/** Prints a CONSOLE_USERS entry (`user:role:scrypt-hash`) for a password read from standard input. */
export async function consoleUserCommand(args: ParsedArgs): Promise<number> {
  const user = stringOption(args, 'user');
  const role = stringOption(args, 'role') ?? 'viewer';
  if (!user || !/^[A-Za-z0-9._@-]{1,64}$/.test(user))
    throw new UsageError('--user is required: letters, digits and . _ @ - (at most 64)');
  if (role !== 'viewer' && role !== 'operator') throw new UsageError('--role must be viewer or operator');
  if (process.stdin.isTTY) process.stderr.write('password (then Ctrl-D): ');
  const password = (await readStdin()).replace(/\r?\n$/, '');
  if (password.length < 8)
    throw new UsageError('the password (standard input) must have at least 8 characters');
  process.stdout.write(`${user}:${role}:${await hashPassword(password)}\n`);
  return 0;
}

export const CONSOLE_USER_COMMAND: CommandSpec = {
  name: 'console-user',
  summary: 'Prints a CONSOLE_USERS entry for the web console: the password (standard input) scrypt-hashed.',
  options: {
    user: { type: 'string', value: 'NAME', required: true, describe: 'who signs in' },
    role: { type: 'string', value: 'viewer|operator', default: 'viewer', describe: 'what they may do' },
  },
  env: {},
  notes: [
    'e.g. printf %s "$PASSWORD" | ./erpsync console-user --user alice --role operator',
    'Join entries with commas into CONSOLE_USERS (a Secret): the console stores no password in clear.',
  ],
  run: consoleUserCommand,
};
