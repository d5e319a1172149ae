import { loadEnv, WDT_SANDBOX_DEFAULTS, xingchenClientEnv } from '@app/config';
import { type NormalizedSalesOrder, formatWdtTime } from '@app/contracts';
import { mapTrade, type MappingRules } from '@app/mapping';
import { createServiceMetrics } from '@app/observability';
import { WdtClient } from '@app/wdt-client';
import { XingchenClient, xingchenClientConfigFromEnv, type SalesOrderDraft } from '@app/xingchen-client';

export interface NaiveSyncOptions {
  wdtUrl: string;
  xingchenUrl: string;
  /** `XINGCHEN_API` and that family's credentials, as a loader is given them. */
  xingchenCredentials: Record<string, string>;
  /** The tenant's quota (calls per minute), as the loader is told. */
  xingchenQuotaPerMinute: number;
  rules: MappingRules;
  fromMs: number;
  toMs: number;
}

export interface NaiveSyncResult {
  orders: number;
  pages: number;
  lookups: number;
  seconds: number;
  ordersPerSecond: number;
}

/** The real clients as the naive script would build them: WDT unthrottled, Xingchen one call at a time. */
function naiveClients(options: NaiveSyncOptions): { wdt: WdtClient; xingchen: XingchenClient } {
  const metrics = createServiceMetrics('bench-naive', 'bench', 'bench');
  const wdt = new WdtClient(
    {
      route: 'qimen',
      baseUrl: options.wdtUrl,
      sid: WDT_SANDBOX_DEFAULTS.sid,
      appKey: WDT_SANDBOX_DEFAULTS.appKey,
      appSecret: WDT_SANDBOX_DEFAULTS.appSecret,
      qimenAppKey: WDT_SANDBOX_DEFAULTS.qimenAppKey,
      qimenSecret: WDT_SANDBOX_DEFAULTS.qimenSecret,
      targetAppKey: WDT_SANDBOX_DEFAULTS.targetAppKey,
      rateLimitPerMinute: 100000,
    },
    metrics,
  );
  const xingchen = new XingchenClient(
    xingchenClientConfigFromEnv(
      loadEnv(xingchenClientEnv, {
        ...options.xingchenCredentials,
        XINGCHEN_BASE_URL: options.xingchenUrl,
        XINGCHEN_RATE_LIMIT_PER_MINUTE: String(options.xingchenQuotaPerMinute),
        XINGCHEN_MAX_CONCURRENCY: '1',
      }),
    ),
    metrics,
  );
  return { wdt, xingchen };
}

const must = <T>(value: T | null, what: string): T => {
  if (value === null) throw new Error(`naive sync: ${what} not found in Xingchen`);
  return value;
};

/** Number → Xingchen id, each number looked up once and remembered; `lookups` counts the calls. */
class NaiveResolver {
  lookups = 0;
  private readonly customers = new Map<string, string>();
  private readonly stores = new Map<string, string>();
  private readonly materials = new Map<string, { id: string; unitId: string }>();

  constructor(private readonly xingchen: XingchenClient) {}

  /** The save body of one order, resolved line by line (material, then store), then the customer. */
  async draft(order: NormalizedSalesOrder): Promise<SalesOrderDraft> {
    const lines = [];
    for (const line of order.lines) {
      const m = await this.material(line.materialNumber);
      lines.push({
        materialId: m.id,
        storeId: await this.storeId(line.storeNumber),
        qty: line.qty,
        unitId: m.unitId,
        taxPrice: line.taxPrice,
        isFree: line.isFree,
        taxPercent: line.taxPercent,
      });
    }
    return {
      billNo: order.billNo,
      billDate: order.billDate,
      customerId: await this.customerId(order.customerNumber),
      ...(order.remark ? { remark: order.remark } : {}),
      customFields: order.project ? { [order.project.field]: order.project.value } : {},
      lines,
    };
  }

  private async customerId(number: string): Promise<string> {
    if (!this.customers.has(number)) {
      this.lookups++;
      this.customers.set(number, must(await this.xingchen.findCustomer(number), `customer ${number}`).id);
    }
    return this.customers.get(number)!;
  }

  private async storeId(number: string): Promise<string> {
    if (!this.stores.has(number)) {
      this.lookups++;
      this.stores.set(number, must(await this.xingchen.findStore(number), `store ${number}`).id);
    }
    return this.stores.get(number)!;
  }

  private async material(number: string): Promise<{ id: string; unitId: string }> {
    if (!this.materials.has(number)) {
      this.lookups++;
      const found = must(await this.xingchen.findMaterial(number), `material ${number}`);
      this.materials.set(number, { id: found.id, unitId: found.baseUnitId });
    }
    return this.materials.get(number)!;
  }
}

/**
 * The comparison of P6: the script one would write without the architecture. Strictly sequential:
 * fetch a page of trades, map each trade, resolve its numbers to Xingchen ids (remembered once
 * looked up), save it, next trade, next page. Real WDT and Xingchen clients, real mapping.
 */
export async function naiveSync(options: NaiveSyncOptions): Promise<NaiveSyncResult> {
  const { wdt, xingchen } = naiveClients(options);
  const resolver = new NaiveResolver(xingchen);
  const started = performance.now();
  let orders = 0;
  let pages = 0;
  try {
    const pageSize = 100;
    for (let pageNo = 0; pageNo < 10_000; pageNo++) {
      const page = await wdt.queryTrades({
        startTime: formatWdtTime(options.fromMs),
        endTime: formatWdtTime(options.toMs),
        pageNo,
        pageSize,
      });
      pages++;
      for (const trade of page.trades) {
        const mapped = mapTrade(trade, options.rules);
        if (mapped.outcome !== 'mapped') continue;
        await xingchen.saveSalesOrder(await resolver.draft(mapped.order));
        orders++;
      }
      if ((pageNo + 1) * pageSize >= page.totalCount) break;
    }
  } finally {
    xingchen.close();
  }
  const seconds = (performance.now() - started) / 1000;
  return { orders, pages, lookups: resolver.lookups, seconds, ordersPerSecond: orders / seconds };
}
