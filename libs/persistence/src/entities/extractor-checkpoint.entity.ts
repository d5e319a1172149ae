import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The extractor's source offset and its single-poller lease, one row per WDT stream. The checkpoint
 * is the last WDT `modified` second up to which every trade was acknowledged by Kafka; it only
 * moves forward, and only the lease holder may move it.
 */
@Entity({ name: 'extractor_checkpoint' })
export class ExtractorCheckpoint {
  @PrimaryColumn({ type: 'text' })
  name!: string;

  @Column({ name: 'checkpoint_at', type: 'timestamptz', nullable: true })
  checkpointAt!: Date | null;

  @Column({ name: 'lease_holder', type: 'text', nullable: true })
  leaseHolder!: string | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt!: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
