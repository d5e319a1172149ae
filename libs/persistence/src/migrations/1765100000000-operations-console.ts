import { sqlMigration } from './sql-migration';

/**
 * The operations console: what each sync attempt sent and got back, the console's sessions, its
 * append-only audit trail and its jobs, and the ledger indexes its searches need at 100 000+ rows.
 */
export const OperationsConsole1765100000000 = sqlMigration('OperationsConsole1765100000000', {
  up: [
    `
      ALTER TABLE sales_order_sync_attempts
        ADD COLUMN request_body text NULL,
        ADD COLUMN response_status integer NULL,
        ADD COLUMN response_body text NULL`,
    // prefix search on trade and bill numbers (text_pattern_ops: LIKE 'x%' whatever the collation)
    'CREATE INDEX sales_order_ledger_bill_prefix_idx ON sales_order_ledger (bill_no text_pattern_ops)',
    'CREATE INDEX sales_order_ledger_trade_prefix_idx ON sales_order_ledger (trade_id text_pattern_ops)',
    'CREATE INDEX sales_order_ledger_modified_idx ON sales_order_ledger (source_modified DESC, bill_no)',
    'CREATE INDEX sales_order_ledger_status_modified_idx ON sales_order_ledger (status, source_modified DESC, bill_no)',
    'CREATE INDEX sales_order_ledger_updated_idx ON sales_order_ledger (updated_at DESC)',
    `
      CREATE INDEX sales_order_ledger_errors_idx ON sales_order_ledger (updated_at DESC)
        WHERE last_error_code IS NOT NULL`,
    `
      CREATE TABLE console_sessions (
        token_hash text PRIMARY KEY,
        username text NOT NULL,
        role text NOT NULL CHECK (role IN ('viewer', 'operator')),
        csrf_token text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`,
    'CREATE INDEX console_sessions_expires_idx ON console_sessions (expires_at)',
    `
      CREATE TABLE console_audit (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        role text NOT NULL,
        action text NOT NULL,
        target jsonb NOT NULL DEFAULT '{}'::jsonb,
        result text NOT NULL CHECK (result IN ('ok', 'refused', 'failed')),
        detail text NULL,
        client text NULL
      )`,
    `
      CREATE FUNCTION console_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'console_audit is append-only (% refused)', TG_OP;
      END
      $$`,
    `
      CREATE TRIGGER console_audit_no_change BEFORE UPDATE OR DELETE ON console_audit
        FOR EACH ROW EXECUTE FUNCTION console_audit_append_only()`,
    `
      CREATE TRIGGER console_audit_no_truncate BEFORE TRUNCATE ON console_audit
        FOR EACH STATEMENT EXECUTE FUNCTION console_audit_append_only()`,
    `
      CREATE TABLE console_jobs (
        id uuid PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('redrive', 'replay', 'resync', 'reconcile')),
        state text NOT NULL CHECK (state IN ('running', 'done', 'failed')),
        actor text NOT NULL,
        request jsonb NOT NULL,
        progress jsonb NOT NULL DEFAULT '{}'::jsonb,
        result jsonb NULL,
        error text NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz NULL
      )`,
    'CREATE INDEX console_jobs_started_idx ON console_jobs (started_at DESC)',
    `
      CREATE TABLE console_redriven (
        topic text NOT NULL,
        partition integer NOT NULL,
        "offset" bigint NOT NULL,
        job_id uuid NOT NULL REFERENCES console_jobs (id),
        redriven_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (topic, partition, "offset", job_id)
      )`,
  ],
  down: [
    'DROP TABLE console_redriven',
    'DROP TABLE console_jobs',
    'DROP TRIGGER console_audit_no_truncate ON console_audit',
    'DROP TRIGGER console_audit_no_change ON console_audit',
    'DROP TABLE console_audit',
    'DROP FUNCTION console_audit_append_only()',
    'DROP TABLE console_sessions',
    'DROP INDEX sales_order_ledger_errors_idx',
    'DROP INDEX sales_order_ledger_updated_idx',
    'DROP INDEX sales_order_ledger_status_modified_idx',
    'DROP INDEX sales_order_ledger_modified_idx',
    'DROP INDEX sales_order_ledger_trade_prefix_idx',
    'DROP INDEX sales_order_ledger_bill_prefix_idx',
    `
      ALTER TABLE sales_order_sync_attempts
        DROP COLUMN response_body,
        DROP COLUMN response_status,
        DROP COLUMN request_body`,
  ],
});
