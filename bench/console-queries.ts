/**
 * The console's pages at 100 000 ledger rows (issue 15): each query the orders and overview pages
 * make, timed on a seeded ledger (median and worst of 20 runs, after a warm-up), with the plan
 * PostgreSQL chose. PostgreSQL is started as `npm run bench` starts it.
 * Run: npm run bench:console -- [--rows 100000] [--runs 20] [--json]
 */
import { performance } from 'node:perf_hooks';
import { processEnv } from '@app/config';
import { createDataSource, ensureDatabase, OrderQueries, runMigrations } from '@app/persistence';
import { ensureLocalPostgres } from '@app/stack';
import { seedLedger } from './console-seed';

const arg = (name: string, fallback: string): string => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
};

async function main(): Promise<void> {
  const rows = Number(arg('rows', '100000'));
  const runs = Number(arg('runs', '20'));
  const base = new URL(processEnv().DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/erpsync');
  base.pathname = '/erpsync_bench_console';
  const url = base.toString();
  await ensureLocalPostgres(url);
  await ensureDatabase(url);
  const dataSource = createDataSource({ url, poolSize: 4, applicationName: 'erpsync-bench-console' });
  await dataSource.initialize();
  try {
    await runMigrations(dataSource);
    await dataSource.query('TRUNCATE sales_order_ledger, sales_order_sync_attempts');
    const seeded = performance.now();
    await seedLedger(dataSource, rows);
    process.stdout.write(
      `seeded ${rows} ledger rows and ${rows * 3} attempts in ${Math.round(performance.now() - seeded)} ms\n`,
    );
    const q = new OrderQueries(dataSource);
    const day = new Date(Date.now() - 86400_000);
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['orders, no filter, page 1', () => q.search({ page: 1, pageSize: 50 })],
      ['orders, no filter, page 1000', () => q.search({ page: 1000, pageSize: 50 })],
      ['orders, trade-number prefix', () => q.search({ q: 'JYB00001234', page: 1, pageSize: 50 })],
      ['orders, exact bill number', () => q.search({ q: 'JYB000054321', page: 1, pageSize: 50 })],
      ['orders, status rejected', () => q.search({ status: 'rejected', page: 1, pageSize: 50 })],
      [
        'orders, status synced, last day',
        () => q.search({ status: 'synced', from: day, page: 1, pageSize: 50 }),
      ],
      ['order detail: attempts of one bill', () => q.attempts('JYB000054321')],
      ['overview: counts by status', () => q.countsByStatus()],
      ['overview: changed in the last hour', () => q.changedSince(3600)],
      ['overview: changed in the last day', () => q.changedSince(86400)],
      ['overview: last errors', () => q.recentErrors(10)],
    ];
    const results = [];
    for (const [name, run] of cases) {
      await run();
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        await run();
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      results.push({
        query: name,
        medianMs: +times[Math.floor(times.length / 2)].toFixed(2),
        worstMs: +times[times.length - 1].toFixed(2),
      });
    }
    if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify({ rows, runs, results })}\n`);
    else {
      process.stdout.write(
        `\n${'query'.padEnd(40)} ${'median ms'.padStart(10)} ${'worst ms'.padStart(10)}\n`,
      );
      for (const r of results)
        process.stdout.write(
          `${r.query.padEnd(40)} ${String(r.medianMs).padStart(10)} ${String(r.worstMs).padStart(10)}\n`,
        );
    }
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:console failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
