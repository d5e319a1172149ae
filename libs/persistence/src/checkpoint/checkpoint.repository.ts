import { DataSource } from 'typeorm';
import { LedgerQueries, type CheckpointView } from '../ledger/ledger.queries';

/** The checkpoint row of one stream, read when the lease is taken. */
export interface LeaseGrant {
  checkpointMs: number | null;
}

/**
 * The extractor's checkpoint and single-poller lease in PostgreSQL (`extractor_checkpoint`). Lease
 * times use the database clock so replicas with skewed clocks agree; a checkpoint write is fenced
 * by the lease, so an instance that lost its lease can never move it, and it never moves back.
 */
export class CheckpointRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly name: string,
  ) {}

  /** Takes or renews the lease; null while another live instance holds it. */
  async acquireLease(holder: string, ttlSeconds: number): Promise<LeaseGrant | null> {
    const rows = await this.dataSource.query<Array<{ checkpoint_at: Date | null }>>(
      `INSERT INTO extractor_checkpoint (name, lease_holder, lease_expires_at, updated_at)
       VALUES ($1, $2, now() + make_interval(secs => $3), now())
       ON CONFLICT (name) DO UPDATE
         SET lease_holder = EXCLUDED.lease_holder, lease_expires_at = EXCLUDED.lease_expires_at, updated_at = now()
       WHERE extractor_checkpoint.lease_holder IS NULL
          OR extractor_checkpoint.lease_holder = EXCLUDED.lease_holder
          OR extractor_checkpoint.lease_expires_at < now()
       RETURNING checkpoint_at`,
      [this.name, holder, ttlSeconds],
    );
    if (rows.length === 0) return null;
    const at = rows[0].checkpoint_at;
    return { checkpointMs: at === null ? null : at.getTime() };
  }

  /** Moves the checkpoint forward; false when this holder no longer owns the lease. */
  async advance(holder: string, checkpointMs: number): Promise<boolean> {
    const result = await this.dataSource.query<[unknown[], number]>(
      `UPDATE extractor_checkpoint
          SET checkpoint_at = GREATEST(COALESCE(checkpoint_at, $3), $3), updated_at = now()
        WHERE name = $1 AND lease_holder = $2 AND lease_expires_at > now()`,
      [this.name, holder, new Date(checkpointMs)],
    );
    return result[1] === 1;
  }

  async releaseLease(holder: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE extractor_checkpoint SET lease_holder = NULL, lease_expires_at = NULL, updated_at = now()
        WHERE name = $1 AND lease_holder = $2`,
      [this.name, holder],
    );
  }

  async read(): Promise<CheckpointView | null> {
    return LedgerQueries.of(this.dataSource).checkpoint(this.name);
  }
}
