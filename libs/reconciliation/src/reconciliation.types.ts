/** What the ledger says about one bill (the loader's record), in the terms the report needs. */
export interface LedgerView {
  billNo: string;
  /** Loader status: e.g. synced, pending, rejected, failed, cancelled_in_source. */
  status: string;
  /** WDT `modified` of the version the ledger last applied (ISO with offset). */
  sourceModified?: string;
  contentHash?: string;
  xingchenId?: string;
  lastErrorCode?: string;
  lastErrorMessage?: string;
}

/** One Xingchen sales order as the API (or the sandbox) returns it: ids, not numbers. */
export interface XingchenOrderView {
  id: string;
  billno: string;
  billdate?: string;
  customerid_id?: string;
  material_entity?: Array<{
    materialid_id?: string;
    stockid_id?: string;
    qty?: string | number;
    unit_id?: string;
    taxprice?: string | number;
    is_free?: boolean | string;
    cess?: string | number;
  }>;
  [field: string]: unknown;
}

/** Number → id resolution of the Xingchen account set (what the loader resolves through look-ups). */
export interface MasterDataIds {
  customerId(number: string): string | undefined;
  materialId(number: string): string | undefined;
  baseUnitId(materialNumber: string): string | undefined;
  storeId(number: string): string | undefined;
}

export interface FieldDifference {
  field: string;
  expected: string | undefined;
  actual: string | undefined;
}

export interface ReportEntry {
  billNo: string;
  reason: string;
  detail?: string;
  differences?: FieldDifference[];
  xingchenIds?: string[];
}

/** The hop of the pipeline that dead-lettered a trade. */
export type DeadLetterHop = 'extractor' | 'transformer' | 'loader';

/** One dead letter of any hop, as its DLQ record (or the loader's ledger row) tells it. */
export interface DeadLetterView {
  /** The record's key (trade_no = bill no); for a trade without one, `?<position>`. */
  tradeNo: string;
  hop: DeadLetterHop;
  /** `dlq-error-detail` when set (the extractor's problem class), else `dlq-error-reason`. */
  reason: string;
  message: string;
  /** WDT `modified` of the dead-lettered version (ISO with offset), when known. */
  sourceModified?: string;
  /** When it was dead-lettered (ISO), when known. */
  failedAt?: string;
}

/** A trade owed to Xingchen whose latest state is not there because a hop dead-lettered it. */
export interface DeadLetteredEntry {
  tradeNo: string;
  hop: DeadLetterHop;
  reason: string;
  message: string;
}

export interface ReconciliationReport {
  period?: { from?: string; to?: string };
  generatedAt: string;
  counts: {
    wdtTrades: number;
    byStatus: Record<string, number>;
    expectedOrders: number;
    xingchenOrders: number;
    ledgerRows: number;
    inSync: number;
    missing: number;
    duplicated: number;
    stale: number;
    mismatched: number;
    rejected: number;
    cancelledInSource: number;
    invalid: number;
    filtered: number;
    /** Owed trades (eligible, cancelled or of unknown status) lost to a dead letter at any hop. */
    deadLettered: number;
  };
  missing: ReportEntry[];
  duplicated: ReportEntry[];
  stale: ReportEntry[];
  mismatched: ReportEntry[];
  rejected: ReportEntry[];
  cancelledInSource: ReportEntry[];
  invalid: ReportEntry[];
  /** Owed trades whose latest state is not in Xingchen because a hop dead-lettered them. */
  dead_lettered: DeadLetteredEntry[];
  /** True when nothing is missing, duplicated, stale, mismatched or dead-lettered. */
  clean: boolean;
}
