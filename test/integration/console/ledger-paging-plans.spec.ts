import { type DataSource } from 'typeorm';
import { createDataSource, ensureDatabase, OrderQueries, runMigrations } from '@app/persistence';
import { testDatabaseUrl } from '@app/testing';
import { seedLedger } from '../../../bench/console-seed';

/** The plan of a statement, as text. */
async function plan(dataSource: DataSource, sql: string, params: unknown[] = []): Promise<string> {
  const rows = await dataSource.query<Array<{ 'QUERY PLAN': string }>>(`EXPLAIN ${sql}`, params);
  return rows.map((row) => row['QUERY PLAN']).join('\n');
}

describe('console: the orders pages at 100 000 ledger rows are served by indexes, a page at a time', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    const url = new URL(testDatabaseUrl());
    url.pathname = '/erpsync_test_console_paging';
    await ensureDatabase(url.toString());
    dataSource = createDataSource({ url: url.toString(), poolSize: 2 });
    await dataSource.initialize();
    await runMigrations(dataSource);
    await dataSource.query('TRUNCATE sales_order_ledger, sales_order_sync_attempts');
    await seedLedger(dataSource, 100_000);
  });
  afterAll(async () => {
    await dataSource?.destroy();
  });

  it('answers one page and the total, newest modified first', async () => {
    const queries = new OrderQueries(dataSource);
    const first = await queries.search({ page: 1, pageSize: 50 });
    expect(first.total).toBe(100_000);
    expect(first.rows).toHaveLength(50);
    const times = first.rows.map((row) => row.sourceModified.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const rejected = await queries.search({ status: 'rejected', page: 2, pageSize: 20 });
    expect(rejected.rows.every((row) => row.status === 'rejected')).toBe(true);
    expect(rejected.total).toBe(Math.floor((100_000 + 2) / 11));
    const prefix = await queries.search({ q: 'JYB00001234', page: 1, pageSize: 50 });
    expect(prefix.rows.map((row) => row.billNo).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `JYB00001234${i}`),
    );
    // % and _ are taken literally, not as patterns
    expect((await queries.search({ q: 'JYB%', page: 1, pageSize: 5 })).total).toBe(0);
  });

  it.each([
    [
      'a trade or bill number prefix',
      `SELECT * FROM sales_order_ledger WHERE (bill_no LIKE $1 OR trade_id LIKE $1) ORDER BY source_modified DESC, bill_no LIMIT 50`,
      ['JYB0000123%'],
      /sales_order_ledger_(bill|trade)_prefix_idx/,
    ],
    [
      'a status, newest first',
      `SELECT * FROM sales_order_ledger WHERE status = $1 ORDER BY source_modified DESC, bill_no LIMIT 50`,
      ['rejected'],
      /sales_order_ledger_status_modified_idx/,
    ],
    [
      'every row, newest first',
      `SELECT * FROM sales_order_ledger ORDER BY source_modified DESC, bill_no LIMIT 50 OFFSET 5000`,
      [],
      /sales_order_ledger_modified_idx/,
    ],
    [
      'the last errors',
      `SELECT bill_no FROM sales_order_ledger WHERE last_error_code IS NOT NULL ORDER BY updated_at DESC LIMIT 10`,
      [],
      /sales_order_ledger_(errors|updated)_idx/,
    ],
    [
      "one bill's attempts",
      `SELECT * FROM sales_order_sync_attempts WHERE bill_no = $1 ORDER BY id`,
      ['JYB000054321'],
      /sales_order_sync_attempts_bill_idx/,
    ],
  ])('%s: an index scan, no sequential scan of the ledger', async (_name, sql, params, index) => {
    const text = await plan(dataSource, sql, params);
    expect(text).toMatch(index);
    expect(text).not.toMatch(/Seq Scan on sales_order_(ledger|sync_attempts)/);
  });
});
