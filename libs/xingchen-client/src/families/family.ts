import {
  type XingchenApiFamily,
  type SalesOrderDraft,
  type XingchenSalesOrder,
  type XingchenSalesOrderSummary,
} from '../sales-order';
import { type TokenManager } from '../token-manager';
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
