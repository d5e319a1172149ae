import {
  type XingchenApiFamily,
  type SalesOrderDraft,
  type XingchenSalesOrder,
  type XingchenSalesOrderSummary,
} from '../sales-order';
import { type Logger } from '@app/observability';
import { int, records, type Json } from '../json';
import { type TokenManager } from '../token-manager';
import { XingchenBusinessError } from '../xingchen-errors';
import {
  type SaveResult,
  type XingchenCustomer,
  type XingchenMaterial,
  type XingchenStore,
} from '../xingchen.types';

export interface SalesOrderPage {
  rows: XingchenSalesOrderSummary[];
  totalPages: number;
  count: number;
}

/** What each family implements in its own module; the facade XingchenClient delegates to one of them. */
export interface XingchenFamilyClient {
  readonly family: XingchenApiFamily;
  /** The family's token (V1 access_token, V2 app-token): one request in flight, shared by every caller. */
  readonly tokens: TokenManager;
  saveSalesOrder(draft: SalesOrderDraft): Promise<SaveResult>;
  findSalesOrderByBillNo(billNo: string): Promise<XingchenSalesOrderSummary | null>;
  getSalesOrder(id: string): Promise<XingchenSalesOrder | null>;
  listSalesOrders(page: number, pageSize: number): Promise<SalesOrderPage>;
  findCustomer(number: string): Promise<XingchenCustomer | null>;
  findMaterial(number: string): Promise<XingchenMaterial | null>;
  findStore(number: string): Promise<XingchenStore | null>;
}

/** Several stored bills share one number: the first is used and the rest is worth a warning. */
export const AUDITED_STATUSES = new Set(['C', '1', 'true']);
export const auditedFrom = (status: unknown): boolean =>
  status === true || status === 1 || (typeof status === 'string' && AUDITED_STATUSES.has(status));

/** The rows of a sales-order list answer, read with the family's row reader (unreadable rows dropped). */
export function readSalesOrderPage(
  data: Json | undefined,
  readRow: (row: Json) => XingchenSalesOrderSummary | undefined,
): SalesOrderPage {
  const rows = records(data?.rows)
    .map(readRow)
    .filter((row): row is XingchenSalesOrderSummary => row !== undefined);
  return {
    rows,
    totalPages: Math.max(1, int(data?.total_page ?? data?.totalpage ?? data?.totalPage, 1)),
    count: int(data?.count, rows.length),
  };
}

/**
 * The list row whose bill number is exactly `billNo` (the list filters are fuzzy or partial);
 * several are worth a warning, and the first is used.
 */
export function exactBill(
  page: SalesOrderPage,
  billNo: string,
  logger?: Logger,
): XingchenSalesOrderSummary | null {
  const matches = page.rows.filter((row) => row.billNo === billNo);
  if (matches.length > 1)
    logger?.warn(
      { operation: 'sal_order_list', matches: matches.length },
      'several xingchen orders share one bill number',
    );
  return matches[0] ?? null;
}

/** A detail by id that Xingchen refuses (no such bill, or any other business refusal) reads as absent. */
export async function absentWhenRefused<T>(read: Promise<T>): Promise<T | null> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof XingchenBusinessError) return null;
    throw error;
  }
}
