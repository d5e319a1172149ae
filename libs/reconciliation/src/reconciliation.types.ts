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
  };
  missing: ReportEntry[];
  duplicated: ReportEntry[];
  stale: ReportEntry[];
  mismatched: ReportEntry[];
  rejected: ReportEntry[];
  cancelledInSource: ReportEntry[];
  invalid: ReportEntry[];
  /** True when nothing is missing, duplicated, stale or mismatched. */
  clean: boolean;
}
