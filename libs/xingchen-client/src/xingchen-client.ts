import { type Metrics } from '@app/observability';
import { XingchenCore, type XingchenClientDeps } from './core';
import { createFamilyClient, type SalesOrderPage, type XingchenFamilyClient } from './families';
import {
  type SalesOrderDraft,
  type XingchenApiFamily,
  type XingchenSalesOrder,
  type XingchenSalesOrderSummary,
} from './sales-order';
import { type TokenManager } from './token-manager';
import {
  type SaveResult,
  type XingchenClientConfig,
  type XingchenCustomer,
  type XingchenMaterial,
  type XingchenStore,
} from './xingchen.types';

export { type XingchenClientDeps } from './core';

/**
 * 金蝶云星辰 client for one tenant (account set), for either API family (`config.family.api`):
 * V1, the legacy 精斗云/星辰 API (user login, `/jdy/sal/*`), or V2, the open platform (gateway
 * signature + app-token, `/jdy/v2/*`). It speaks only the family-neutral shapes of sales-order.ts;
 * each family's module (families/v1.ts, families/v2.ts) owns its paths, names and envelope, and the
 * shared core owns the quota, the concurrency cap, metrics, the transport and the one error table.
 * Knows nothing of Kafka or the database.
 */
export class XingchenClient {
  readonly family: XingchenApiFamily;
  private readonly core: XingchenCore;
  private readonly impl: XingchenFamilyClient;

  constructor(config: XingchenClientConfig, metrics: Metrics, deps: XingchenClientDeps = {}) {
    this.core = new XingchenCore(config, metrics, deps);
    this.impl = createFamilyClient(this.core);
    this.family = this.impl.family;
  }

  /** The family's token (V1 access_token, V2 app-token). */
  get tokens(): TokenManager {
    return this.impl.tokens;
  }

  /** Current client-side rate (calls/s); lower than the target after throttled answers. */
  get currentRate(): number {
    return this.core.currentRate;
  }

  close(): void {
    this.core.close();
  }

  /** Creates the order (no `draft.id`) or modifies the stored one: ONE save call. */
  saveSalesOrder(draft: SalesOrderDraft): Promise<SaveResult> {
    return this.impl.saveSalesOrder(draft);
  }

  /** The sales order with exactly this bill number, or null. */
  findSalesOrderByBillNo(billNo: string): Promise<XingchenSalesOrderSummary | null> {
    return this.impl.findSalesOrderByBillNo(billNo);
  }

  /** A stored order by id, with its entry ids and audit flag (null when Xingchen has no such bill). */
  getSalesOrder(id: string): Promise<XingchenSalesOrder | null> {
    return this.impl.getSalesOrder(id);
  }

  /** One page (from 1) of the sales-order list: every order, e.g. for a reconciliation. */
  listSalesOrders(page = 1, pageSize = 100): Promise<SalesOrderPage> {
    return this.impl.listSalesOrders(page, pageSize);
  }

  findCustomer(number: string): Promise<XingchenCustomer | null> {
    return this.impl.findCustomer(number);
  }

  findMaterial(number: string): Promise<XingchenMaterial | null> {
    return this.impl.findMaterial(number);
  }

  findStore(number: string): Promise<XingchenStore | null> {
    return this.impl.findStore(number);
  }
}
