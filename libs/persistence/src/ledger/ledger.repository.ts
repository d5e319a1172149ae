import { RetriableError, SyncError } from '@app/contracts';
import { escapeLiteral, type PoolClient, type QueryResult } from 'pg';
import { type DataSource, type QueryRunner } from 'typeorm';
import { ledgerRowFromColumns, type Columns } from './ledger-row';
import { type AttemptRecord, type LedgerRow, type LedgerSession, type LedgerStore } from './ledger.types';

/** Advisory-lock namespace of the loader's per-bill locks ("LOAD"). */
const LOCK_NAMESPACE = 0x4c4f4144;

/** A database failure is retriable (PostgreSQL restarting, pool exhausted): never dead-letter for it. */
export function databaseError(error: unknown): unknown {
  if (error instanceof SyncError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new RetriableError(`database: ${message}`, { reason: 'database_error', cause: error });
}

const LEDGER_COLUMNS = [
  'bill_no',
  'trade_id',
  'status',
  'xingchen_id',
  'source_modified',
  'source_version_id',
  'content_hash',
  'synced_content_hash',
  'pending_operation',
  'attempts',
  'last_error_code',
  'last_error_message',
  'first_synced_at',
  'last_synced_at',
  'cancelled_at',
] as const;

const ATTEMPT_COLUMNS =
  'bill_no, operation, outcome, xingchen_id, content_hash, source_modified, error_code, error_message, duration_ms, request_body, response_status, response_body';

type SqlValue = string | number | Date | null;

/** A SQL literal (the simple query protocol takes no parameters): strings through pg's escaping. */
export function sqlLiteral(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (value instanceof Date) return `${escapeLiteral(value.toISOString())}::timestamptz`;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`not an integer: ${value}`);
    return String(value);
  }
  return escapeLiteral(value);
}

const rowValues = (r: LedgerRow): SqlValue[] => [
  r.billNo,
  r.tradeId,
  r.status,
  r.xingchenId,
  r.sourceModified,
  r.sourceVersionId,
  r.contentHash,
  r.syncedContentHash,
  r.pendingOperation,
  r.attempts,
  r.lastErrorCode,
  r.lastErrorMessage,
  r.firstSyncedAt,
  r.lastSyncedAt,
  r.cancelledAt,
];

const upsertStatement = (row: LedgerRow): string => `
  INSERT INTO sales_order_ledger (${LEDGER_COLUMNS.join(', ')})
  VALUES (${rowValues(row).map(sqlLiteral).join(', ')})
  ON CONFLICT (bill_no) DO UPDATE SET
    ${LEDGER_COLUMNS.slice(1)
      .map((column) => `${column} = EXCLUDED.${column}`)
      .join(', ')}, updated_at = now()`;

const attemptStatement = (a: AttemptRecord): string => `
  INSERT INTO sales_order_sync_attempts (${ATTEMPT_COLUMNS})
  VALUES (${[
    a.billNo,
    a.operation,
    a.outcome,
    a.xingchenId,
    a.contentHash,
    a.sourceModified,
    a.errorCode,
    a.errorMessage,
    Math.round(a.durationMs),
    a.exchange?.requestBody ?? null,
    a.exchange?.responseStatus ?? null,
    a.exchange?.responseBody ?? null,
  ]
    .map(sqlLiteral)
    .join(', ')})`;

/** Statements as one transaction, when there is more than one. */
const atomically = (statements: string[]): string[] =>
  statements.length > 1 ? ['BEGIN', ...statements, 'COMMIT'] : statements;

/**
 * One bill's pooled connection while a session runs: the lock, the row as the session sees it, and
 * what was recorded but not yet written. A failed query marks the connection broken: nothing more is
 * committed on it and it is closed instead of going back to the pool.
 */
class BillConnection {
  private locked = false;
  private broken: unknown;
  private current: LedgerRow | null = null;
  private unwritten: LedgerRow | null = null;
  private attempts: AttemptRecord[] = [];

  private constructor(
    private readonly runner: QueryRunner,
    private readonly client: PoolClient,
    private readonly billNo: string,
  ) {}

  static async open(dataSource: DataSource, billNo: string): Promise<BillConnection> {
    try {
      const runner = dataSource.createQueryRunner();
      const client = (await runner.connect()) as PoolClient;
      return new BillConnection(runner, client, billNo);
    } catch (error) {
      throw databaseError(error);
    }
  }

  private get lockKey(): string {
    return `${LOCK_NAMESPACE}, hashtext(${sqlLiteral(this.billNo)})`;
  }

  private async run(statements: string[]): Promise<QueryResult[]> {
    try {
      const result = (await this.client.query(statements.join(';\n'))) as QueryResult | QueryResult[];
      return Array.isArray(result) ? result : [result];
    } catch (error) {
      this.broken = error;
      throw databaseError(error);
    }
  }

  private pendingStatements(): string[] {
    return [
      ...(this.unwritten ? [upsertStatement(this.unwritten)] : []),
      ...this.attempts.map(attemptStatement),
    ];
  }

  /** Takes the bill's lock and reads its row in one round trip; RetriableError when another worker holds it. */
  async lockAndRead(): Promise<void> {
    const [lock, read] = await this.run([
      `SELECT pg_try_advisory_lock(${this.lockKey}) AS locked`,
      `SELECT * FROM sales_order_ledger WHERE bill_no = ${sqlLiteral(this.billNo)}`,
    ]);
    this.locked = (lock.rows[0] as { locked?: boolean } | undefined)?.locked === true;
    if (!this.locked) {
      throw new RetriableError(`bill ${this.billNo} is being loaded by another worker`, {
        reason: 'bill_locked',
      });
    }
    this.current = read.rows[0] ? ledgerRowFromColumns(read.rows[0] as Columns) : null;
  }

  private record(row: LedgerRow): void {
    this.current = { ...row };
    this.unwritten = this.current;
  }

  session(): LedgerSession {
    return {
      get: () => Promise.resolve(this.current && { ...this.current }),
      put: (row: LedgerRow) => {
        this.record(row);
        return Promise.resolve();
      },
      putIntent: async (row: LedgerRow) => {
        this.record(row);
        await this.run(atomically(this.pendingStatements()));
        this.unwritten = null;
        this.attempts = [];
      },
      appendAttempt: (attempt: AttemptRecord) => {
        this.attempts.push(attempt);
        return Promise.resolve();
      },
    };
  }

  /** Commits what was recorded and releases the lock in one round trip; a broken connection is closed. */
  async finish(): Promise<void> {
    try {
      if (this.locked && !this.broken)
        await this.run([
          ...atomically(this.pendingStatements()),
          `SELECT pg_advisory_unlock(${this.lockKey})`,
        ]);
    } finally {
      if (this.broken) {
        // never hand a connection that may still hold the lock (or an aborted transaction) back to the pool
        await (
          this.runner as QueryRunner & { releasePostgresConnection?: (err: unknown) => Promise<void> }
        ).releasePostgresConnection?.(this.broken);
      } else {
        await this.runner.release();
      }
    }
  }
}

/**
 * The ledger in PostgreSQL. Each bill is worked on under a session advisory lock held on one
 * pooled connection for the whole decision (a crash or a lost connection releases it), so two
 * loader replicas, or a replay racing live traffic, never decide on the same bill at once.
 *
 * Round trips are the loader's main cost, so a session makes few: the lock and the row are read
 * in one (the SELECT runs after the lock is taken, with a snapshot of its own); an intent is written,
 * with anything recorded before it, before `putIntent` resolves, since a Xingchen call follows; every
 * other write is recorded and committed in one transaction when the work ends, followed by the
 * unlock in the same round trip. A crash before that commit loses only what the pending intent
 * already says: that a call's outcome is unknown.
 */
export class PostgresLedgerStore implements LedgerStore {
  constructor(private readonly dataSource: DataSource) {}

  async withBill<T>(billNo: string, work: (session: LedgerSession) => Promise<T>): Promise<T> {
    const bill = await BillConnection.open(this.dataSource, billNo);
    let outcome: T;
    try {
      await bill.lockAndRead();
      outcome = await work(bill.session());
    } catch (error) {
      // a failure to commit what was recorded outranks the work's error: the message must be retried
      await bill.finish();
      throw error;
    }
    await bill.finish();
    return outcome;
  }
}
