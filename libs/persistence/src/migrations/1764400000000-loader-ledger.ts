import { sqlMigration } from './sql-migration';

/** The loader's ledger, its append-only attempts history, and the master-data cache. */
export const LoaderLedger1764400000000 = sqlMigration('LoaderLedger1764400000000', {
  up: [
    `
      CREATE TABLE sales_order_ledger (
        bill_no text PRIMARY KEY,
        trade_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'synced', 'rejected', 'failed', 'cancelled_in_source')),
        xingchen_id text NULL,
        source_modified timestamptz NOT NULL,
        source_version_id text NULL,
        content_hash text NULL,
        synced_content_hash text NULL,
        pending_operation text NULL CHECK (pending_operation IN ('create', 'modify')),
        attempts integer NOT NULL DEFAULT 0,
        last_error_code text NULL,
        last_error_message text NULL,
        first_synced_at timestamptz NULL,
        last_synced_at timestamptz NULL,
        cancelled_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
    'CREATE INDEX sales_order_ledger_status_idx ON sales_order_ledger (status)',
    `
      CREATE TABLE sales_order_sync_attempts (
        id bigserial PRIMARY KEY,
        bill_no text NOT NULL,
        operation text NOT NULL,
        outcome text NOT NULL,
        xingchen_id text NULL,
        content_hash text NULL,
        source_modified timestamptz NULL,
        error_code text NULL,
        error_message text NULL,
        duration_ms integer NOT NULL,
        attempted_at timestamptz NOT NULL DEFAULT now()
      )`,
    'CREATE INDEX sales_order_sync_attempts_bill_idx ON sales_order_sync_attempts (bill_no, id)',
    `
      CREATE TABLE xingchen_master_data_cache (
        kind text NOT NULL CHECK (kind IN ('customer', 'material', 'store')),
        number text NOT NULL,
        xingchen_id text NOT NULL,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        fetched_at timestamptz NOT NULL,
        PRIMARY KEY (kind, number)
      )`,
  ],
  down: [
    'DROP TABLE xingchen_master_data_cache',
    'DROP TABLE sales_order_sync_attempts',
    'DROP TABLE sales_order_ledger',
  ],
});
