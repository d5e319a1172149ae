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
import { type MasterKind } from '@app/persistence';

/** The ledger and master-data cache types live with their repositories in @app/persistence. */
export type {
  AttemptOperation,
  AttemptOutcome,
  AttemptRecord,
  LedgerRow,
  LedgerSession,
  LedgerStatus,
  LedgerStore,
  MasterDataStorePort,
  MasterEntry,
  MasterKind,
  PendingOperation,
  StoredMasterEntry,
} from '@app/persistence';

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
