/**
 * WDT trades for tests: one home for the `wdt.trade.query` trade object that specs, integration
 * suites and tools build. `aTrade()` is the canonical trade (a paid Tmall order, one line);
 * `tradeFactory(changes)` is a builder over it for a spec whose trades all differ in the same
 * way. A change whose value is `undefined` removes the field (a trade WDT sent without it).
 */
export type TradeLine = Record<string, unknown>;
export type TradeObject = Record<string, unknown> & { trade_no: string; goods_list?: TradeLine[] };
export type TradeChanges = Record<string, unknown>;

const withChanges = <T extends Record<string, unknown>>(base: T, changes: TradeChanges): T => {
  const result: Record<string, unknown> = { ...base, ...changes };
  for (const [name, value] of Object.entries(changes)) if (value === undefined) delete result[name];
  return result as T;
};

/** One goods line as WDT sends it (decimals as strings with four places, integer flags). */
export function aTradeLine(changes: TradeChanges = {}): TradeLine {
  return withChanges(
    {
      rec_id: '1',
      spec_no: 'SKU-001',
      goods_name: '保温杯',
      num: '2.0000',
      share_amount: '119.8000',
      gift_type: 0,
      refund_status: 0,
      tax_rate: '0.1300',
    },
    changes,
  );
}

/** A raw WDT trade as the extractor publishes it (a `wdt.trade.query` trade). */
export function aTrade(changes: TradeChanges = {}): TradeObject {
  return withChanges<TradeObject>(
    {
      trade_id: '200001',
      trade_no: 'JY-IT-0001',
      shop_no: 'TM001',
      shop_name: '天猫旗舰店',
      warehouse_no: 'WH-SH01',
      trade_status: 55,
      trade_time: '2024-06-18 10:00:00',
      pay_time: '2024-06-18 10:00:30',
      created: '2024-06-18 10:00:01',
      modified: '2024-06-18 10:05:00',
      logistics_no: '',
      tax_rate: '0.1300',
      goods_list: [aTradeLine()],
    },
    changes,
  );
}

/** A builder of trades that all share `base` (changes to aTrade()); each call adds its own changes. */
export function tradeFactory(base: TradeChanges): (changes?: TradeChanges) => TradeObject {
  return (changes = {}) => withChanges(aTrade(base), changes);
}
