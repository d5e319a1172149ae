import Decimal from 'decimal.js';
import { parseWdtTrade, parseWdtTime } from '@app/contracts';
import { catalogSkus } from '@app/sandbox-catalog';

import { generateTradeTimelines, generateTrades } from './trade-generator';
import { TradeStore } from './trade-store';

const END = Date.parse('2024-03-01T04:00:00Z'); // 12:00 Beijing

describe('the WDT sandbox trade generator', () => {
  const trades = generateTrades({ seed: 7, count: 400, endMs: END, settled: true });

  it('is deterministic for a seed', () => {
    expect(generateTrades({ seed: 7, count: 400, endMs: END, settled: true })).toEqual(trades);
    expect(generateTrades({ seed: 8, count: 400, endMs: END, settled: true })).not.toEqual(trades);
  });

  it('makes trades that satisfy the raw-trade contract, with unique trade numbers', () => {
    expect(trades).toHaveLength(400);
    for (const trade of trades) expect(parseWdtTrade(trade)).toMatchObject({ ok: true });
    expect(new Set(trades.map((t) => t.trade_no)).size).toBe(400);
  });

  it('uses only catalog SKUs and keeps a day of history ending at endMs', () => {
    const specs = new Set(catalogSkus.map((s) => s.specNo));
    for (const trade of trades) {
      for (const line of trade.goods_list as Array<{ spec_no: string }>)
        expect(specs.has(line.spec_no)).toBe(true);
      const modified = parseWdtTime(trade.modified);
      expect(modified).toBeLessThanOrEqual(END);
      expect(modified).toBeGreaterThan(END - 86400_000 - 3600_000);
    }
  });

  it('covers the realistic cases: bundles, gifts, refunds, cancellations, boundary seconds', () => {
    type Line = {
      suite_no?: string;
      gift_type: number;
      refund_status: number;
      share_amount: string;
      suite_amount?: string;
    };
    const lines = trades.flatMap((t) => t.goods_list as Line[]);
    expect(lines.some((l) => l.suite_no)).toBe(true);
    expect(lines.some((l) => l.gift_type !== 0)).toBe(true);
    expect(lines.some((l) => l.refund_status === 5)).toBe(true);
    expect(trades.some((t) => t.trade_status === 5)).toBe(true);
    expect(trades.some((t) => t.trade_status === 110)).toBe(true);
    expect(trades.some((t) => /:59:59$/.test(t.modified))).toBe(true);
    expect(trades.some((t) => /:00:00$/.test(t.modified))).toBe(true);
    expect(String(trades[0].receiver_province)).toMatch(/[省市]$/);
    // the mixed wire types of WDT's samples: numbers for most trades, strings for some, some "" tax rates
    const nums = lines.map((l) => (l as unknown as { num: unknown }).num);
    expect(nums.some((n) => typeof n === 'number')).toBe(true);
    expect(nums.some((n) => typeof n === 'string' && /^\d+\.0000$/.test(n))).toBe(true);
    expect(lines.some((l) => (l as unknown as { tax_rate: unknown }).tax_rate === '')).toBe(true);
    expect(trades.some((t) => typeof t.trade_id === 'number' && typeof t.version_id === 'number')).toBe(true);
    const strings = generateTrades({ seed: 7, count: 5, endMs: END, settled: true, wireTypes: 'strings' });
    expect(strings.every((t) => typeof t.trade_id === 'string')).toBe(true);
  });

  it('splits each bundle’s amount exactly over its components', () => {
    for (const trade of trades) {
      const bySuite = new Map<string, { amount: string; sum: Decimal }>();
      for (const line of trade.goods_list as Array<{
        suite_no?: string;
        suite_amount?: string;
        share_amount: string;
      }>) {
        if (!line.suite_no) continue;
        const entry = bySuite.get(line.suite_no) ?? { amount: line.suite_amount!, sum: new Decimal(0) };
        entry.sum = entry.sum.add(line.share_amount);
        bySuite.set(line.suite_no, entry);
      }
      for (const { amount, sum } of bySuite.values()) expect(sum.equals(amount)).toBe(true);
    }
  });

  it('moves statuses forward version by version', () => {
    const timelines = generateTradeTimelines({ seed: 7, count: 200, endMs: END });
    const forward = timelines.filter((t) => t.versions.length > 2);
    expect(forward.length).toBeGreaterThan(0);
    for (const { versions } of timelines) {
      for (let i = 1; i < versions.length; i++) {
        expect(versions[i].atMs).toBeGreaterThan(versions[i - 1].atMs);
        const [before, after] = [
          versions[i - 1].trade.trade_status as number,
          versions[i].trade.trade_status as number,
        ];
        expect(after === 5 || after >= before).toBe(true);
      }
    }
  });
});

describe('the sandbox trade store', () => {
  const timelines = generateTradeTimelines({ seed: 3, count: 100, endMs: END });

  it('shows each trade as it is at the clock, ordered by modified then trade_no', () => {
    const store = new TradeStore(timelines);
    const now = store.visible(END);
    const later = store.visible(END + 3 * 86400_000);
    expect(now).toHaveLength(100);
    expect(later.filter((t) => t.trade_status === 110).length).toBeGreaterThan(
      now.filter((t) => t.trade_status === 110).length,
    );
    const keys = now.map((t) => `${t.modified}|${t.trade_no}`);
    expect(keys).toEqual([...keys].sort());
  });

  it('filters a window on modified with both bounds inclusive', () => {
    const store = new TradeStore();
    const base = generateTrades({ seed: 1, count: 3, endMs: END, settled: true });
    store.upsert([
      { ...base[0], trade_no: 'A', modified: '2024-03-01 09:59:59' },
      { ...base[1], trade_no: 'B', modified: '2024-03-01 10:00:00' },
      { ...base[2], trade_no: 'C', modified: '2024-03-01 10:59:59' },
      { ...base[2], trade_no: 'D', modified: '2024-03-01 11:00:00' },
    ]);
    const inWindow = store.query({ startTime: '2024-03-01 10:00:00', endTime: '2024-03-01 10:59:59' }, END);
    expect(inWindow.map((t) => t.trade_no)).toEqual(['B', 'C']);
    expect(
      store.query({ tradeNo: 'D', startTime: '2030-01-01 00:00:00' }, END).map((t) => t.trade_no),
    ).toEqual(['D']);
  });
});
