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

/**
 * One Xingchen sales order as read back through its family's detail answer, in neutral names
 * (structurally the client's XingchenSalesOrder: reconciliation stays free of the client).
 */
export interface XingchenOrderView {
  id: string;
  billNo: string;
  billDate?: string;
  customerId?: string;
  audited?: boolean;
  remark?: string;
  customFields?: Record<string, string>;
  lines?: Array<{
    entryId?: string;
    materialId?: string;
    storeId?: string;
    qty?: string;
    unitId?: string;
    taxPrice?: string;
    isFree?: boolean;
    taxPercent?: string;
  }>;
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
    auditedInXingchen: number;
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
  /** Audited in Xingchen: erpsync never modifies them; an operator decides (not a failure of the sync). */
  auditedInXingchen: ReportEntry[];
  invalid: ReportEntry[];
  /** Owed trades whose latest state is not in Xingchen because a hop dead-lettered them. */
  dead_lettered: DeadLetteredEntry[];
  /** True when nothing is missing, duplicated, stale, mismatched or dead-lettered. */
  clean: boolean;
}
