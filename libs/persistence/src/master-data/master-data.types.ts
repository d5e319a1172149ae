export type MasterKind = 'customer' | 'material' | 'store';

/** A resolved master-data record: its id, and for materials the units. */
export interface MasterEntry {
  id: string;
  baseUnitId?: string;
  unitIds?: string[];
}

/** A persisted cache row (`xingchen_master_data_cache`). */
export interface StoredMasterEntry {
  entry: MasterEntry;
  fetchedAt: Date;
}

export interface MasterDataStorePort {
  load(kind: MasterKind, number: string): Promise<StoredMasterEntry | null>;
  save(kind: MasterKind, number: string, entry: MasterEntry, fetchedAt: Date): Promise<void>;
  remove(kind: MasterKind, number: string): Promise<void>;
}
