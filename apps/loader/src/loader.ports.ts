import {
  type SalesOrderDraft,
  type SaveResult,
  type XingchenApiFamily,
  type XingchenCustomer,
  type XingchenMaterial,
  type XingchenSalesOrder,
  type XingchenSalesOrderSummary,
  type XingchenStore,
} from '@app/xingchen-client';

/** Ledger status of one bill number. */
export type LedgerStatus =
  | 'pending'
  | 'synced'
  | 'rejected'
  | 'failed'
  | 'cancelled_in_source'
  /** audited in Xingchen: never modified by erpsync; a newer WDT version waits for an operator */
  | 'audited_in_xingchen';

/** A Xingchen call whose outcome is not known yet (recorded before the call). */
export type PendingOperation = 'create' | 'modify';

/** One row of `sales_order_ledger`. */
export interface LedgerRow {
  billNo: string;
  tradeId: string;
  status: LedgerStatus;
  /** The Xingchen order id, once known. */
  xingchenId: string | null;
  /** Source version of the latest accepted message (intent or synced). */
  sourceModified: Date;
  sourceVersionId: string | null;
  /** Content hash of the latest accepted message (intent or synced). */
  contentHash: string | null;
  /** Content hash known to be in Xingchen. */
  syncedContentHash: string | null;
  pendingOperation: PendingOperation | null;
  /** Xingchen save calls made for this bill. */
  attempts: number;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  firstSyncedAt: Date | null;
  lastSyncedAt: Date | null;
  cancelledAt: Date | null;
}

export type AttemptOperation = 'create' | 'modify' | 'lookup' | 'detail';
export type AttemptOutcome =
  'success' | 'found' | 'absent' | 'business_error' | 'retriable_error' | 'ambiguous' | 'fatal';

/** One row of the append-only `sales_order_sync_attempts`. */
export interface AttemptRecord {
  billNo: string;
  operation: AttemptOperation;
  outcome: AttemptOutcome;
  xingchenId: string | null;
  contentHash: string | null;
  sourceModified: Date | null;
  errorCode: string | null;
  errorMessage: string | null;
  durationMs: number;
}

/** Exclusive access to one bill's ledger row while a decision and its Xingchen calls run. */
export interface LedgerSession {
  /** The row as this session last saw or wrote it (null: the bill is new). */
  get(): Promise<LedgerRow | null>;
  /** Inserts or replaces the whole row; durable at the latest when the session ends, before its lock is released. */
  put(row: LedgerRow): Promise<void>;
  /**
   * Like `put`, but durable (with everything recorded before it) when it resolves: the row that
   * says a Xingchen save is about to be made, whose outcome a crash would leave unknown.
   */
  putIntent(row: LedgerRow): Promise<void>;
  /** Recorded like `put`. */
  appendAttempt(attempt: AttemptRecord): Promise<void>;
}

export interface LedgerStore {
  /** Runs `work` holding the bill's lock; throws RetriableError when another worker holds it. */
  withBill<T>(billNo: string, work: (session: LedgerSession) => Promise<T>): Promise<T>;
}

/** The Xingchen calls the loader makes, family-neutral (XingchenClient satisfies it). */
export interface XingchenPort {
  readonly family: XingchenApiFamily;
  saveSalesOrder(draft: SalesOrderDraft): Promise<SaveResult>;
  findSalesOrderByBillNo(billNo: string): Promise<XingchenSalesOrderSummary | null>;
  /** The stored bill with its entry ids and audit state; null when Xingchen no longer has it. */
  getSalesOrder(id: string): Promise<XingchenSalesOrder | null>;
}

/** Master-data look-ups by number (XingchenClient satisfies it). */
export interface XingchenLookupPort {
  findCustomer(number: string): Promise<XingchenCustomer | null>;
  findMaterial(number: string): Promise<XingchenMaterial | null>;
  findStore(number: string): Promise<XingchenStore | null>;
}

export type MasterKind = 'customer' | 'material' | 'store';

/** A resolved master-data record: its id, and for materials the units. */
export interface MasterEntry {
  id: string;
  baseUnitId?: string;
  unitIds?: string[];
}

/** Ids of one order's master data, and which of them came from the cache (not fetched just now). */
export interface ResolvedIds {
  customerId: string;
  lines: Array<{ materialId: string; unitId: string; storeId: string }>;
  cached: Record<MasterKind, boolean>;
}

export interface MasterDataResolverPort {
  /** Resolves the order's numbers; throws NonRetriableError naming the unknown number. `fresh` kinds bypass the cache. */
  resolve(
    numbers: { customer: string; materials: string[]; stores: string[] },
    options?: { fresh?: MasterKind[] },
  ): Promise<ResolvedIds>;
  invalidate(kind: MasterKind, numbers: string[]): Promise<void>;
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
