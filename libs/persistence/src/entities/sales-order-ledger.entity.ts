import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The loader's ledger: one row per bill number (= WDT trade_no), the source of truth for
 * "was this order created in Xingchen, with which id and which content". Written under a per-bill
 * lock; an intent (`pending_operation`) is recorded before every create or modify.
 */
@Entity({ name: 'sales_order_ledger' })
export class SalesOrderLedger {
  @PrimaryColumn({ name: 'bill_no', type: 'text' })
  billNo!: string;

  @Column({ name: 'trade_id', type: 'text' })
  tradeId!: string;

  /** pending · synced · rejected · failed · cancelled_in_source */
  @Index('sales_order_ledger_status_idx')
  @Column({ type: 'text' })
  status!: string;

  @Column({ name: 'xingchen_id', type: 'text', nullable: true })
  xingchenId!: string | null;

  /** WDT `modified` of the latest accepted version. */
  @Column({ name: 'source_modified', type: 'timestamptz' })
  sourceModified!: Date;

  @Column({ name: 'source_version_id', type: 'text', nullable: true })
  sourceVersionId!: string | null;

  /** Content hash of the latest accepted version (intent or synced). */
  @Column({ name: 'content_hash', type: 'text', nullable: true })
  contentHash!: string | null;

  /** Content hash known to be in Xingchen. */
  @Column({ name: 'synced_content_hash', type: 'text', nullable: true })
  syncedContentHash!: string | null;

  /** create · modify: a call whose outcome is not known yet. */
  @Column({ name: 'pending_operation', type: 'text', nullable: true })
  pendingOperation!: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error_code', type: 'text', nullable: true })
  lastErrorCode!: string | null;

  @Column({ name: 'last_error_message', type: 'text', nullable: true })
  lastErrorMessage!: string | null;

  @Column({ name: 'first_synced_at', type: 'timestamptz', nullable: true })
  firstSyncedAt!: Date | null;

  @Column({ name: 'last_synced_at', type: 'timestamptz', nullable: true })
  lastSyncedAt!: Date | null;

  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  cancelledAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
