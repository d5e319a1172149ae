import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@app/stack';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The real CLI (apps/cli/src/main.ts, from source) or another entry as a child process. */
export function runNode(
  entry: string,
  args: string[],
  env: Record<string, string | undefined> = {},
  timeoutMs = 120_000,
): Promise<CliRun> {
  const merged: Record<string, string | undefined> = {
    ...process.env,
    TS_NODE_PROJECT: join(repoRoot, 'tsconfig.json'),
    TS_NODE_TRANSPILE_ONLY: 'true',
    ...env,
  };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', entry, ...args],
    { cwd: repoRoot, env: merged, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((done) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    }),
  );
}

export const runCli = (args: string[], env: Record<string, string | undefined> = {}) =>
  runNode('apps/cli/src/main.ts', args, env);
