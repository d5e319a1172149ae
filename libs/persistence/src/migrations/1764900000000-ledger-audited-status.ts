import { sqlMigration } from './sql-migration';

/** A bill audited in Xingchen is never modified: the ledger records it as `audited_in_xingchen`. */
export const LedgerAuditedStatus1764900000000 = sqlMigration('LedgerAuditedStatus1764900000000', {
  up: [
    'ALTER TABLE sales_order_ledger DROP CONSTRAINT IF EXISTS sales_order_ledger_status_check',
    `
      ALTER TABLE sales_order_ledger ADD CONSTRAINT sales_order_ledger_status_check
        CHECK (status IN ('pending', 'synced', 'rejected', 'failed', 'cancelled_in_source', 'audited_in_xingchen'))`,
  ],
  down: [
    'ALTER TABLE sales_order_ledger DROP CONSTRAINT IF EXISTS sales_order_ledger_status_check',
    `
      ALTER TABLE sales_order_ledger ADD CONSTRAINT sales_order_ledger_status_check
        CHECK (status IN ('pending', 'synced', 'rejected', 'failed', 'cancelled_in_source'))`,
  ],
});
