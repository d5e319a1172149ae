import { type DataSource } from 'typeorm';
import { databaseError } from '../ledger/ledger.repository';
import {
  type MasterDataStorePort,
  type MasterEntry,
  type MasterKind,
  type StoredMasterEntry,
} from './master-data.types';

/** `xingchen_master_data_cache`: the loader's number → id cache, shared by replicas and restarts. */
export class PostgresMasterDataStore implements MasterDataStorePort {
  constructor(private readonly dataSource: DataSource) {}

  async load(kind: MasterKind, number: string): Promise<StoredMasterEntry | null> {
    try {
      const rows = await this.dataSource.query<
        Array<{ xingchen_id: string; details: { baseUnitId?: string; unitIds?: string[] }; fetched_at: Date }>
      >(
        'SELECT xingchen_id, details, fetched_at FROM xingchen_master_data_cache WHERE kind = $1 AND number = $2',
        [kind, number],
      );
      const row = rows[0];
      if (!row) return null;
      const entry: MasterEntry = { id: row.xingchen_id, ...row.details };
      return { entry, fetchedAt: new Date(row.fetched_at) };
    } catch (error) {
      throw databaseError(error);
    }
  }

  async save(kind: MasterKind, number: string, entry: MasterEntry, fetchedAt: Date): Promise<void> {
    const { id, ...details } = entry;
    try {
      await this.dataSource.query(
        `INSERT INTO xingchen_master_data_cache (kind, number, xingchen_id, details, fetched_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (kind, number) DO UPDATE SET xingchen_id = EXCLUDED.xingchen_id, details = EXCLUDED.details, fetched_at = EXCLUDED.fetched_at`,
        [kind, number, id, JSON.stringify(details), fetchedAt],
      );
    } catch (error) {
      throw databaseError(error);
    }
  }

  async remove(kind: MasterKind, number: string): Promise<void> {
    try {
      await this.dataSource.query('DELETE FROM xingchen_master_data_cache WHERE kind = $1 AND number = $2', [
        kind,
        number,
      ]);
    } catch (error) {
      throw databaseError(error);
    }
  }
}
