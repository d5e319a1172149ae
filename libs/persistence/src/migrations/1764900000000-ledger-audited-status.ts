import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** A bill audited in Xingchen is never modified: the ledger records it as `audited_in_xingchen`. */
export class LedgerAuditedStatus1764900000000 implements MigrationInterface {
  name = 'LedgerAuditedStatus1764900000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      'ALTER TABLE sales_order_ledger DROP CONSTRAINT IF EXISTS sales_order_ledger_status_check',
    );
    await runner.query(`
      ALTER TABLE sales_order_ledger ADD CONSTRAINT sales_order_ledger_status_check
        CHECK (status IN ('pending', 'synced', 'rejected', 'failed', 'cancelled_in_source', 'audited_in_xingchen'))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      'ALTER TABLE sales_order_ledger DROP CONSTRAINT IF EXISTS sales_order_ledger_status_check',
    );
    await runner.query(`
      ALTER TABLE sales_order_ledger ADD CONSTRAINT sales_order_ledger_status_check
        CHECK (status IN ('pending', 'synced', 'rejected', 'failed', 'cancelled_in_source'))`);
  }
}
