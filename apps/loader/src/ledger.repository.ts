import { RetriableError, SyncError } from '@app/contracts';
import { type DataSource, type QueryRunner } from 'typeorm';
import { type AttemptRecord, type LedgerRow, type LedgerSession, type LedgerStore } from './loader.ports';

/** Advisory-lock namespace of the loader's per-bill locks ("LOAD"). */
const LOCK_NAMESPACE = 0x4c4f4144;

type Raw = Record<string, unknown>;

const toDate = (value: unknown): Date | null =>
  value === null || value === undefined ? null : new Date(value as string);

const fromRaw = (raw: Raw): LedgerRow => ({
  billNo: raw.bill_no as string,
  tradeId: raw.trade_id as string,
  status: raw.status as LedgerRow['status'],
  xingchenId: (raw.xingchen_id as string | null) ?? null,
  sourceModified: toDate(raw.source_modified)!,
  sourceVersionId: (raw.source_version_id as string | null) ?? null,
  contentHash: (raw.content_hash as string | null) ?? null,
  syncedContentHash: (raw.synced_content_hash as string | null) ?? null,
  pendingOperation: (raw.pending_operation as LedgerRow['pendingOperation']) ?? null,
  attempts: Number(raw.attempts),
  lastErrorCode: (raw.last_error_code as string | null) ?? null,
  lastErrorMessage: (raw.last_error_message as string | null) ?? null,
  firstSyncedAt: toDate(raw.first_synced_at),
  lastSyncedAt: toDate(raw.last_synced_at),
  cancelledAt: toDate(raw.cancelled_at),
});

/** A database failure is retriable (PostgreSQL restarting, pool exhausted): never dead-letter for it. */
export function databaseError(error: unknown): unknown {
  if (error instanceof SyncError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new RetriableError(`database: ${message}`, { reason: 'database_error', cause: error });
}

const UPSERT = `
  INSERT INTO sales_order_ledger (
    bill_no, trade_id, status, xingchen_id, source_modified, source_version_id, content_hash, synced_content_hash,
    pending_operation, attempts, last_error_code, last_error_message, first_synced_at, last_synced_at, cancelled_at
  ) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
  ON CONFLICT (bill_no) DO UPDATE SET
    trade_id = EXCLUDED.trade_id, status = EXCLUDED.status, xingchen_id = EXCLUDED.xingchen_id,
    source_modified = EXCLUDED.source_modified, source_version_id = EXCLUDED.source_version_id,
    content_hash = EXCLUDED.content_hash, synced_content_hash = EXCLUDED.synced_content_hash,
    pending_operation = EXCLUDED.pending_operation, attempts = EXCLUDED.attempts,
    last_error_code = EXCLUDED.last_error_code, last_error_message = EXCLUDED.last_error_message,
    first_synced_at = EXCLUDED.first_synced_at, last_synced_at = EXCLUDED.last_synced_at,
    cancelled_at = EXCLUDED.cancelled_at, updated_at = now()`;

const INSERT_ATTEMPT = `
  INSERT INTO sales_order_sync_attempts
    (bill_no, operation, outcome, xingchen_id, content_hash, source_modified, error_code, error_message, duration_ms)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`;

/**
 * The ledger in PostgreSQL. Each bill is worked on under a session advisory lock held on one
 * pooled connection for the whole decision (a crash or a lost connection releases it), so two
 * loader replicas, or a replay racing live traffic, never decide on the same bill at once. Every
 * write is committed at once: the intent row is durable before the Xingchen call.
 */
export class PostgresLedgerStore implements LedgerStore {
  constructor(private readonly dataSource: DataSource) {}

  async withBill<T>(billNo: string, work: (session: LedgerSession) => Promise<T>): Promise<T> {
    let runner: QueryRunner;
    try {
      runner = this.dataSource.createQueryRunner();
      await runner.connect();
    } catch (error) {
      throw databaseError(error);
    }
    let locked = false;
    let broken: unknown;
    try {
      const [row] = (await runner
        .query('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [LOCK_NAMESPACE, billNo])
        .catch((error: unknown) => {
          throw databaseError(error);
        })) as Array<{ locked: boolean }>;
      locked = row?.locked === true;
      if (!locked) {
        throw new RetriableError(`bill ${billNo} is being loaded by another worker`, {
          reason: 'bill_locked',
        });
      }
      const db = async <R>(sql: string, params: unknown[]): Promise<R> => {
        try {
          return (await runner.query(sql, params)) as R;
        } catch (error) {
          broken = error;
          throw databaseError(error);
        }
      };
      const session: LedgerSession = {
        get: async () => {
          const rows = await db<Raw[]>('SELECT * FROM sales_order_ledger WHERE bill_no = $1', [billNo]);
          return rows[0] ? fromRaw(rows[0]) : null;
        },
        put: async (r: LedgerRow) => {
          await db(UPSERT, [
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
          ]);
        },
        appendAttempt: async (a: AttemptRecord) => {
          await db(INSERT_ATTEMPT, [
            a.billNo,
            a.operation,
            a.outcome,
            a.xingchenId,
            a.contentHash,
            a.sourceModified,
            a.errorCode,
            a.errorMessage,
            a.durationMs,
          ]);
        },
      };
      return await work(session);
    } finally {
      if (locked && !broken) {
        await runner
          .query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_NAMESPACE, billNo])
          .catch((error: unknown) => (broken = error));
      }
      if (broken) {
        // never hand a connection that may still hold the lock back to the pool
        await (
          runner as QueryRunner & { releasePostgresConnection?: (err: unknown) => Promise<void> }
        ).releasePostgresConnection?.(broken);
      } else {
        await runner.release();
      }
    }
  }
}
