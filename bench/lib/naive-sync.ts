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

/**
 * The comparison of P6: the script one would write without the architecture. Strictly sequential:
 * fetch a page of trades, map each trade, resolve its numbers to Xingchen ids (remembered once
 * looked up), save it, next trade, next page. Real WDT and Xingchen clients, real mapping.
 */
export async function naiveSync(options: NaiveSyncOptions): Promise<NaiveSyncResult> {
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
  const customers = new Map<string, string>();
  const stores = new Map<string, string>();
  const materials = new Map<string, { id: string; unitId: string }>();
  let lookups = 0;
  const must = <T>(value: T | null, what: string): T => {
    if (value === null) throw new Error(`naive sync: ${what} not found in Xingchen`);
    return value;
  };
  const customerId = async (number: string) => {
    if (!customers.has(number)) {
      lookups++;
      customers.set(number, must(await xingchen.findCustomer(number), `customer ${number}`).id);
    }
    return customers.get(number)!;
  };
  const storeId = async (number: string) => {
    if (!stores.has(number)) {
      lookups++;
      stores.set(number, must(await xingchen.findStore(number), `store ${number}`).id);
    }
    return stores.get(number)!;
  };
  const material = async (number: string) => {
    if (!materials.has(number)) {
      lookups++;
      const found = must(await xingchen.findMaterial(number), `material ${number}`);
      materials.set(number, { id: found.id, unitId: found.baseUnitId });
    }
    return materials.get(number)!;
  };
  const body = async (order: NormalizedSalesOrder): Promise<SalesOrderDraft> => {
    const lines = [];
    for (const line of order.lines) {
      const m = await material(line.materialNumber);
      lines.push({
        materialId: m.id,
        storeId: await storeId(line.storeNumber),
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
      customerId: await customerId(order.customerNumber),
      ...(order.remark ? { remark: order.remark } : {}),
      customFields: order.project ? { [order.project.field]: order.project.value } : {},
      lines,
    };
  };

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
        await xingchen.saveSalesOrder(await body(mapped.order));
        orders++;
      }
      if ((pageNo + 1) * pageSize >= page.totalCount) break;
    }
  } finally {
    xingchen.close();
  }
  const seconds = (performance.now() - started) / 1000;
  return { orders, pages, lookups, seconds, ordersPerSecond: orders / seconds };
}
