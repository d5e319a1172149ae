import { createServer } from 'node:net';
import { execFileSync } from 'node:child_process';
import { aTrade, testDatabaseUrl } from '@app/testing';
import { repoRoot } from '@app/stack';
import { createWdtSandbox, type SandboxTrade } from '../../../apps/wdt-sandbox/src';
import { createXingchenSandbox } from '../../../apps/xingchen-sandbox/src';
import { runCli } from './cli-runner';

/** A port nobody listens on: bound, then released. */
const unusedPort = () =>
  new Promise<number>((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });

describe('./erpsync: help, refused command lines and exit codes (the real CLI as a process)', () => {
  it('--help, -h and help print the commands and the exit codes, exit 0', async () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const run = await runCli(args);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^erpsync — /);
      for (const command of ['demo', 'replay', 'resync', 'reconcile', 'check', 'migrate', 'service'])
        expect(run.stdout).toContain(`\n  ${command} `);
      expect(run.stdout).toContain(
        'exit codes: 0 clean, 1 ran but the result is not clean, 2 wrong command line',
      );
    }
  });

  it('each command has --help and help <command>: usage, defaults and the environment from the schemas', async () => {
    const [viaFlag, viaHelp, reconcile] = await Promise.all([
      runCli(['demo', '--help']),
      runCli(['help', 'demo']),
      runCli(['reconcile', '-h']),
    ]);
    expect(viaFlag.code).toBe(0);
    expect(viaHelp).toEqual(viaFlag);
    expect(viaFlag.stdout).toContain('usage: ./erpsync demo [--once] [--out DIR] [--trades N]');
    expect(viaFlag.stdout).toMatch(/--trades N\s+.*\(default: 2000\)/);
    expect(viaFlag.stdout).toMatch(/KAFKA_BROKERS\s+default 127\.0\.0\.1:9092/);
    expect(viaFlag.stdout).toMatch(/ERPSYNC_LOCAL_PG_PORT\s+default 5432/);
    expect(reconcile.code).toBe(0);
    expect(reconcile.stdout).toMatch(/--from "yyyy-MM-dd HH:mm:ss"\s+start, Beijing time \(required\)/);
    expect(reconcile.stdout).toMatch(/WDT_BASE_URL/);
  });

  it('--version prints the package version and the commit', async () => {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: repoRoot,
      encoding: 'utf8',
    }).trim();
    const run = await runCli(['--version']);
    expect(run).toMatchObject({ code: 0, stdout: `erpsync 0.1.0 (${commit})\n` });
  });

  it.each([
    [['frob'], 'erpsync: unknown command "frob"'],
    [['demo', '--once', 'fast'], "erpsync: demo: unexpected word 'fast' (every option starts with --)"],
    [['demo', 'once'], "erpsync: demo: unexpected word 'once' (every option starts with --)"],
    [['demo', '--trade', '5'], 'erpsync: demo: unknown option --trade'],
    [['demo', '--trades', 'many'], 'erpsync: --trades must be a whole number, got "many"'],
    [['reconcile', '--from', '2024-03-01 00:00:00'], 'erpsync: reconcile: --to is required'],
    [['help', 'frob'], 'erpsync: help: unknown command "frob"'],
  ])('refuses %j with exit 2, one line and the usage hint', async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const [first, ...hint] = run.stderr.trimEnd().split('\n');
    expect(first).toBe(message);
    expect(hint.join('\n')).toMatch(/--help/);
  });

  it('exits 3 when the database cannot be reached', async () => {
    const run = await runCli(['migrate'], {
      DATABASE_URL: `postgres://postgres@127.0.0.1:${await unusedPort()}/x`,
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^erpsync: migrate failed: .*ECONNREFUSED/);
  });

  it('exits 1 when it ran and the result is not clean (check: a WDT trade missing from Xingchen)', async () => {
    const trade = aTrade({ trade_no: `JY-CLI-${Date.now()}` }) as unknown as SandboxTrade;
    const wdt = createWdtSandbox({ trades: [trade] });
    const xingchen = createXingchenSandbox();
    await wdt.listen(0);
    await xingchen.listen(0);
    try {
      const run = await runCli([
        'check',
        '--wdt',
        wdt.url,
        '--xingchen',
        xingchen.url,
        '--database-url',
        testDatabaseUrl(),
      ]);
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(/missing 1, duplicates 0/);
      expect(run.code).toBe(1);
    } finally {
      await wdt.close();
      await xingchen.close();
    }
  });
});
