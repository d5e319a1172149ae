import { createServer } from 'node:net';
import { existsSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { embeddedDataRoot, portAnswers, repoRoot } from '@app/stack';
import { runNode } from './cli-runner';

const used: number[] = [];
/** A port nobody listens on: bound, then released (its embedded data dir is removed after the suite). */
const unusedPort = () =>
  new Promise<number>((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      used.push(port);
      server.close(() => done(port));
    });
  });

/**
 * scripts/ensure-postgres.sh's entry (libs/stack/src/local-postgres.main.ts) runs a command with
 * the database openLocalDatabase chooses; ERPSYNC_LOCAL_PG_PORT points the probe at a port where
 * nothing listens (the shared server on 5432 is never touched).
 */
describe('the local database: DATABASE_URL, else the local server, else an embedded PostgreSQL', () => {
  const entry = 'libs/stack/src/local-postgres.main.ts';
  afterAll(() => {
    for (const port of used) {
      rmSync(join(embeddedDataRoot(), String(port)), { recursive: true, force: true });
      rmSync(join(embeddedDataRoot(), `${port}.log`), { force: true });
    }
  });
  const script = [
    'node -r ts-node/register/transpile-only -r tsconfig-paths/register apps/cli/src/main.ts migrate',
    'psql "$DATABASE_URL" -tAc "SELECT current_database(), count(*) FROM pg_tables WHERE tablename = \'sales_order_ledger\'"',
    'echo "url=$DATABASE_URL"',
  ].join(' && ');

  it('starts an embedded server when nothing answers, migrates and queries it, and stops it afterwards', async () => {
    const port = await unusedPort();
    const run = await runNode(entry, ['--', 'bash', '-c', script], {
      DATABASE_URL: undefined,
      ERPSYNC_LOCAL_PG_PORT: String(port),
    });
    expect(run.stderr).toContain(
      `postgres: nothing answered on 127.0.0.1:${port}, started an embedded PostgreSQL there (data in ${join(embeddedDataRoot(), String(port))})`,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/applied: \S+|database is up to date/);
    expect(run.stdout).toContain('erpsync|1\n');
    expect(run.stdout).toContain(`url=postgres://postgres@127.0.0.1:${port}/erpsync`);
    const dataDir = join(embeddedDataRoot(), String(port));
    expect(relative(join(repoRoot, 'out'), dataDir)).toBe(`postgres/${port}`);
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
    // stopped: nothing listens, and the server removed its pid file on shutdown
    expect(await portAnswers(port)).toBe(false);
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
  });

  it('uses DATABASE_URL as is when it is set, and the answering local server without starting one', async () => {
    const configured = 'postgres://postgres@127.0.0.1:5432/erpsync_configured_check';
    const [asIs, local] = await Promise.all([
      runNode(entry, ['--', 'bash', '-c', 'echo "url=$DATABASE_URL"'], {
        DATABASE_URL: configured,
        ERPSYNC_LOCAL_PG_PORT: '1',
      }),
      runNode(entry, ['--', 'bash', '-c', 'echo "url=$DATABASE_URL"'], {
        DATABASE_URL: undefined,
        ERPSYNC_LOCAL_PG_PORT: '5432',
      }),
    ]);
    expect(asIs).toMatchObject({ code: 0, stdout: `url=${configured}\n` });
    expect(local).toMatchObject({ code: 0, stdout: 'url=postgres://postgres@127.0.0.1:5432/erpsync\n' });
    expect(local.stderr).toContain('postgres: the server on 127.0.0.1:5432');
  });

  it("passes the command's exit code on, and stops the embedded server when the command fails", async () => {
    const port = await unusedPort();
    const run = await runNode(entry, ['--', 'bash', '-c', 'psql "$DATABASE_URL" -tAc "SELECT 1" && exit 7'], {
      DATABASE_URL: undefined,
      ERPSYNC_LOCAL_PG_PORT: String(port),
    });
    expect(run).toMatchObject({ code: 7, stdout: '1\n' });
    expect(await portAnswers(port)).toBe(false);
  });
});
