import { WDT_SANDBOX_DEFAULTS } from '@app/config';
import { type NormalizedSalesOrder, formatWdtTime } from '@app/contracts';
import { mapTrade, type MappingRules } from '@app/mapping';
import { createServiceMetrics } from '@app/observability';
import { WdtClient } from '@app/wdt-client';
import { XingchenClient, type SalesOrderBody } from '@app/xingchen-client';

export interface NaiveSyncOptions {
  wdtUrl: string;
  xingchenUrl: string;
  xingchenCredentials: {
    XINGCHEN_CLIENT_ID: string;
    XINGCHEN_CLIENT_SECRET: string;
    XINGCHEN_APP_KEY: string;
    XINGCHEN_APP_SECRET: string;
    XINGCHEN_DOMAIN: string;
  };
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
  const c = options.xingchenCredentials;
  const xingchen = new XingchenClient(
    {
      baseUrl: options.xingchenUrl,
      clientId: c.XINGCHEN_CLIENT_ID,
      clientSecret: c.XINGCHEN_CLIENT_SECRET,
      appKey: c.XINGCHEN_APP_KEY,
      appSecret: c.XINGCHEN_APP_SECRET,
      domain: c.XINGCHEN_DOMAIN,
      rateLimitPerMinute: options.xingchenQuotaPerMinute,
      maxConcurrency: 1,
      requestTimeoutMs: 15_000,
      tokenRefreshMarginMs: 300_000,
    },
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
  const body = async (order: NormalizedSalesOrder): Promise<SalesOrderBody> => {
    const lines = [];
    for (const line of order.lines) {
      const m = await material(line.materialNumber);
      lines.push({
        materialid_id: m.id,
        stockid_id: await storeId(line.storeNumber),
        qty: line.qty,
        unit_id: m.unitId,
        taxprice: line.taxPrice,
        is_free: line.isFree,
        cess: line.taxPercent,
      });
    }
    const result: SalesOrderBody = {
      billno: order.billNo,
      billdate: order.billDate,
      customerid_id: await customerId(order.customerNumber),
      material_entity: lines,
    };
    if (order.remark) result.remark = order.remark;
    if (order.project) result[order.project.field] = order.project.value;
    return result;
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
