/**
 * The family-neutral shapes of a Xingchen sales order. The loader, the reconciliation and the
 * checker speak only these; each API family (V1 legacy, V2 open platform) turns them into its
 * own wire names in its own body builder and detail reader.
 */

export const XINGCHEN_API_FAMILIES = ['v1', 'v2'] as const;
/** `v1`: 精斗云/星辰 legacy API (`/jdy/sal/*`); `v2`: 金蝶云·星辰 open platform (`/jdy/v2/*`). */
export type XingchenApiFamily = (typeof XINGCHEN_API_FAMILIES)[number];

/** One line to save, its numbers resolved to Xingchen ids. Decimals travel as strings. */
export interface SalesOrderDraftLine {
  /** The stored entry this line replaces (modify only); absent: a new line. */
  entryId?: string;
  materialId: string;
  storeId: string;
  qty: string;
  unitId: string;
  /** Tax-inclusive unit price. */
  taxPrice: string;
  isFree: boolean;
  /** Tax rate in percent points (`13`). */
  taxPercent: string;
}

/** A sales order to create (no `id`) or modify (`id` of the stored bill). */
export interface SalesOrderDraft {
  id?: string;
  billNo: string;
  /** `yyyy-MM-dd`. */
  billDate: string;
  customerId: string;
  remark?: string;
  /** Tenant-specific header custom fields (the 项目 field): key → value. */
  customFields: Record<string, string>;
  lines: SalesOrderDraftLine[];
}

/** A stored line read back from Xingchen. */
export interface XingchenSalesOrderLine extends Omit<SalesOrderDraftLine, 'entryId'> {
  entryId: string;
}

/** A stored sales order read back from Xingchen (the family's detail answer, neutral names). */
export interface XingchenSalesOrder {
  id: string;
  billNo: string;
  billDate: string;
  customerId: string;
  /** Audited (`C`): Xingchen refuses to modify it, and erpsync never tries. */
  audited: boolean;
  /** The family's own status code as sent (`C` audited, `Z`/`A` not audited, …). */
  status: string;
  remark?: string;
  customFields: Record<string, string>;
  lines: XingchenSalesOrderLine[];
}

/** A row of the sales-order list. */
export interface XingchenSalesOrderSummary {
  id: string;
  billNo: string;
  /** Known from the list row in some families; undefined when the row does not say. */
  audited?: boolean;
}
