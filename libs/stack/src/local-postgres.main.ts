/**
 * `scripts/ensure-postgres.sh [--] COMMAND [ARGS…]`: runs COMMAND with DATABASE_URL set to the
 * database openLocalDatabase chooses, then stops the embedded server if it started one (also when
 * COMMAND fails or the run is interrupted). Exits with COMMAND's code; 3 when no database could be had.
 */
import { spawn } from 'node:child_process';
import { openLocalDatabase } from './local-postgres';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const command = argv[0] === '--' ? argv.slice(1) : argv;
  if (command.length === 0) {
    process.stderr.write('usage: scripts/ensure-postgres.sh [--] COMMAND [ARGS…]\n');
    return 2;
  }
  let database;
  try {
    database = await openLocalDatabase();
  } catch (error) {
    process.stderr.write(`ensure-postgres: ${(error as Error).message}\n`);
    return 3;
  }
  process.stderr.write(`${database.description}\n`);
  try {
    const child = spawn(command[0], command.slice(1), {
      stdio: 'inherit',
      env: { ...process.env, DATABASE_URL: database.url },
    });
    // Ctrl-C reaches the child through the terminal; a SIGTERM is passed on
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    process.on('SIGINT', () => undefined);
    process.on('SIGTERM', forward('SIGTERM'));
    return await new Promise<number>((done) => {
      child.once('error', (error) => {
        process.stderr.write(`ensure-postgres: ${command[0]}: ${error.message}\n`);
        done(3);
      });
      child.once('exit', (code, signal) => done(code ?? (signal === 'SIGINT' ? 130 : 1)));
    });
  } finally {
    await database.stop();
  }
}

void main().then((code) => process.exit(code));
