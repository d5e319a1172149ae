import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Append-only history of the loader's Xingchen calls per bill (create, modify, look-up). */
@Entity({ name: 'sales_order_sync_attempts' })
@Index('sales_order_sync_attempts_bill_idx', ['billNo', 'id'])
export class SalesOrderSyncAttempt {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'bill_no', type: 'text' })
  billNo!: string;

  /** create · modify · lookup */
  @Column({ type: 'text' })
  operation!: string;

  /** success · found · absent · business_error · retriable_error · ambiguous · fatal */
  @Column({ type: 'text' })
  outcome!: string;

  @Column({ name: 'xingchen_id', type: 'text', nullable: true })
  xingchenId!: string | null;

  @Column({ name: 'content_hash', type: 'text', nullable: true })
  contentHash!: string | null;

  @Column({ name: 'source_modified', type: 'timestamptz', nullable: true })
  sourceModified!: Date | null;

  @Column({ name: 'error_code', type: 'text', nullable: true })
  errorCode!: string | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage!: string | null;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs!: number;

  @Column({ name: 'attempted_at', type: 'timestamptz', default: () => 'now()' })
  attemptedAt!: Date;
}
