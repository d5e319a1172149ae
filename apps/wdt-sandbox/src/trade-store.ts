import { tryParseWdtTime } from '@app/contracts';
import { type SandboxTrade, type TradeTimeline } from './trade-generator';

export interface TradeFilter {
  /** Inclusive window on `modified`, `yyyy-MM-dd HH:mm:ss`. */
  startTime?: string;
  endTime?: string;
  status?: number;
  shopNo?: string;
  warehouseNo?: string;
  hasLogisticsNo?: 0 | 1 | 2;
  /** Look-up mode: when one is set, the window and the other filters are ignored. */
  tradeNo?: string;
  srcTid?: string;
  logisticsNo?: string;
}

/**
 * The time a trade is filed under for the window on `modified`: `modified`, or `created` when a
 * (deliberately broken) fixture trade has no usable `modified` — so that the pipeline meets it.
 */
export function filedUnder(trade: SandboxTrade): string {
  const modified: unknown = trade.modified;
  if (typeof modified === 'string' && tryParseWdtTime(modified) !== undefined) return modified;
  return typeof trade.created === 'string' ? trade.created : '';
}

const byModifiedThenNo = (a: SandboxTrade, b: SandboxTrade): number =>
  filedUnder(a) < filedUnder(b)
    ? -1
    : filedUnder(a) > filedUnder(b)
      ? 1
      : a.trade_no < b.trade_no
        ? -1
        : a.trade_no > b.trade_no
          ? 1
          : 0;

/**
 * The sandbox's trades: each trade_no has a history of versions, and a version is visible once the
 * sandbox clock reaches its time. Queries are evaluated over the live data every time, so a trade
 * modified between two page requests shifts the pages behind it, as in the real service.
 */
export class TradeStore {
  private readonly timelines = new Map<string, TradeTimeline['versions']>();

  constructor(timelines: TradeTimeline[] = []) {
    for (const timeline of timelines) this.setTimeline(timeline);
  }

  /** Sets a trade's whole history (generated trades). */
  setTimeline(timeline: TradeTimeline): void {
    this.timelines.set(
      timeline.tradeNo,
      [...timeline.versions].sort((a, b) => a.atMs - b.atMs),
    );
  }

  /** Inserts or replaces trades by trade_no; they are visible at once, as given. */
  upsert(trades: SandboxTrade[]): void {
    for (const trade of trades)
      this.timelines.set(trade.trade_no, [{ atMs: Number.NEGATIVE_INFINITY, trade }]);
  }

  get size(): number {
    return this.timelines.size;
  }

  /** Every trade as it is at `nowMs`, ordered by modified then trade_no. */
  visible(nowMs: number): SandboxTrade[] {
    return this.matching(nowMs, () => true);
  }

  /** The matching trades at `nowMs`, in the order WDT pages them. */
  query(filter: TradeFilter, nowMs: number): SandboxTrade[] {
    if (filter.tradeNo !== undefined || filter.srcTid !== undefined || filter.logisticsNo !== undefined) {
      return this.matching(
        nowMs,
        (trade) =>
          (filter.tradeNo === undefined || trade.trade_no === filter.tradeNo) &&
          (filter.srcTid === undefined ||
            (typeof trade.src_tids === 'string' ? trade.src_tids : '').split(',').includes(filter.srcTid)) &&
          (filter.logisticsNo === undefined || trade.logistics_no === filter.logisticsNo),
      );
    }
    return this.matching(nowMs, (trade) => {
      const at = filedUnder(trade);
      if (filter.startTime !== undefined && at < filter.startTime) return false;
      if (filter.endTime !== undefined && at > filter.endTime) return false;
      if (filter.status !== undefined && Number(trade.trade_status) !== filter.status) return false;
      if (filter.shopNo !== undefined && trade.shop_no !== filter.shopNo) return false;
      if (filter.warehouseNo !== undefined && trade.warehouse_no !== filter.warehouseNo) return false;
      const hasNo = typeof trade.logistics_no === 'string' && trade.logistics_no !== '';
      if (filter.hasLogisticsNo === 1 && !hasNo) return false;
      if (filter.hasLogisticsNo === 2 && hasNo) return false;
      return true;
    });
  }

  /** The current version of every trade that passes `keep`, sorted (only the matches are sorted: a page is cheap). */
  private matching(nowMs: number, keep: (trade: SandboxTrade) => boolean): SandboxTrade[] {
    const result: SandboxTrade[] = [];
    for (const versions of this.timelines.values()) {
      let current: SandboxTrade | undefined;
      for (const version of versions) {
        if (version.atMs <= nowMs) current = version.trade;
        else break;
      }
      if (current && keep(current)) result.push(current);
    }
    return result.sort(byModifiedThenNo);
  }
}
