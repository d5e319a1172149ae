import { Client } from 'pg';
import { type DataSource } from 'typeorm';
import { ledgerRowFromColumns, toDate, type Columns } from './ledger-row';
import { type AttemptRecord, type LedgerRow, type LedgerStatus } from './ledger.types';

/** Runs one parameterised statement and returns its rows. */
export type RowReader = (sql: string, params?: unknown[]) => Promise<Columns[]>;

/** The extractor's checkpoint row of one stream. */
export interface CheckpointView {
  /** Epoch ms; null before the first window was acknowledged. */
  checkpointMs: number | null;
  leaseHolder: string | null;
}

/** One row of `sales_order_sync_attempts`, with its id and time. */
export interface AttemptView extends AttemptRecord {
  id: string;
  attemptedAt: Date;
}

/** A `sales_order_sync_attempts` row (`SELECT *`) as an AttemptView. */
export const attemptFromColumns = (raw: Columns): AttemptView => ({
  id: String(raw.id),
  billNo: raw.bill_no as string,
  operation: raw.operation as AttemptView['operation'],
  outcome: raw.outcome as AttemptView['outcome'],
  xingchenId: (raw.xingchen_id as string | null) ?? null,
  contentHash: (raw.content_hash as string | null) ?? null,
  sourceModified: toDate(raw.source_modified),
  errorCode: (raw.error_code as string | null) ?? null,
  errorMessage: (raw.error_message as string | null) ?? null,
  durationMs: Number(raw.duration_ms),
  attemptedAt: toDate(raw.attempted_at)!,
});

/**
 * The read side of erpsync's tables, for everything that is not the service writing them: the CLI
 * (reconcile), chaos probes, benchmarks and test harnesses. The writers are the repositories
 * (CheckpointRepository, PostgresLedgerStore, PostgresMasterDataStore); nobody else writes SQL
 * against these tables.
 */
export class LedgerQueries {
  constructor(private readonly read: RowReader) {}

  /** Queries through an initialised data source (its pool). */
  static of(dataSource: DataSource): LedgerQueries {
    return new LedgerQueries((sql, params) => dataSource.query<Columns[]>(sql, params));
  }

  /** Opens one connection to `databaseUrl` for `use`, and closes it afterwards. */
  static async using<T>(databaseUrl: string, use: (queries: LedgerQueries) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return await use(
        new LedgerQueries(async (sql, params) => (await client.query<Columns>(sql, params)).rows),
      );
    } finally {
      await client.end();
    }
  }

  /** The checkpoint row of stream `name`, or null when the extractor never ran for it. */
  async checkpoint(name: string): Promise<CheckpointView | null> {
    const rows = await this.read(
      'SELECT checkpoint_at, lease_holder FROM extractor_checkpoint WHERE name = $1',
      [name],
    );
    if (rows.length === 0) return null;
    const at = rows[0].checkpoint_at as Date | null;
    return {
      checkpointMs: at?.getTime() ?? null,
      leaseHolder: (rows[0].lease_holder as string | null) ?? null,
    };
  }

  /** Ledger rows by status (statuses without rows are absent). */
  async countsByStatus(): Promise<Partial<Record<LedgerStatus, number>>> {
    const rows = await this.read('SELECT status, count(*) AS n FROM sales_order_ledger GROUP BY status');
    return Object.fromEntries(rows.map((row) => [row.status as string, Number(row.n)]));
  }

  /** The number of ledger rows in `status`. */
  async countWithStatus(status: LedgerStatus): Promise<number> {
    const rows = await this.read('SELECT count(*) AS n FROM sales_order_ledger WHERE status = $1', [status]);
    return Number(rows[0].n);
  }

  /** The ledger rows of these bill numbers (absent bills have none), by bill number. */
  async rows(billNos: string[]): Promise<LedgerRow[]> {
    const rows = await this.read(
      'SELECT * FROM sales_order_ledger WHERE bill_no = ANY($1) ORDER BY bill_no',
      [billNos],
    );
    return rows.map(ledgerRowFromColumns);
  }

  /** The Xingchen calls recorded for a bill, oldest first. */
  async attempts(billNo: string): Promise<AttemptView[]> {
    const rows = await this.read('SELECT * FROM sales_order_sync_attempts WHERE bill_no = $1 ORDER BY id', [
      billNo,
    ]);
    return rows.map(attemptFromColumns);
  }
}
