import { Client } from 'pg';
import { Decimal } from 'decimal.js';
import { formatWdtTime } from '@app/contracts';
import { waitFor } from '@app/testing';
import {
  type E2eStack,
  reconcileStack,
  replayThroughAdmin,
  startE2eStack,
  upsertTrades,
  xingchenOrders,
  xingchenStats,
} from './e2e-stack';

type Trade = Record<string, unknown> & {
  trade_no: string;
  trade_status: number;
  goods_list: Array<Record<string, unknown>>;
};
const ELIGIBLE = [55, 95, 100, 105, 110, 113];

describe('e2e: a generated day of orders, later modified and cancelled, then replayed', () => {
  let e2e: E2eStack;

  beforeAll(async () => {
    e2e = await startE2eStack({ trades: 400, seed: 11 });
  });
  afterAll(async () => {
    await e2e?.stop();
  });

  it('syncs every eligible trade to exactly one Xingchen order whose every field follows the mapping rules', async () => {
    await e2e.stack.waitUntilIdle(e2e.kafka);
    const trades = (await e2e.stack.sandboxTrades()) as unknown as Trade[];
    const orders = await xingchenOrders(e2e.stack);
    const report = await reconcileStack(e2e);

    expect(report.counts).toMatchObject({ missing: 0, duplicated: 0, stale: 0, mismatched: 0, rejected: 0 });
    expect(report.counts.inSync).toBe(report.counts.expectedOrders);
    expect(report.counts.expectedOrders).toBeGreaterThan(150);
    // the bills in Xingchen are exactly the eligible trades that have a billable line
    const billable = trades.filter(
      (t) =>
        ELIGIBLE.includes(t.trade_status) &&
        t.goods_list.some((l) => Number(l.refund_status) !== 5 && new Decimal(String(l.num)).gt(0)),
    );
    expect(orders.map((o) => o.billno).sort()).toEqual(billable.map((t) => t.trade_no).sort());
  });

  it('modifies changed orders by id and records cancellations, leaving nothing stale', async () => {
    const orders = await xingchenOrders(e2e.stack);
    const byBill = new Map(orders.map((o) => [o.billno, o]));
    const trades = ((await e2e.stack.sandboxTrades()) as unknown as Trade[]).filter((t) =>
      byBill.has(t.trade_no),
    );
    const now = formatWdtTime(Date.now());
    const doubled = trades.slice(0, 5).map((t) => ({
      ...t,
      modified: now,
      goods_list: t.goods_list.map((line) => ({
        ...line,
        num: new Decimal(String(line.num)).mul(2).toFixed(4),
        share_amount: new Decimal(String(line.share_amount)).mul(2).toFixed(4),
      })),
    }));
    const cancelled = trades.slice(5, 8).map((t) => ({ ...t, modified: now, trade_status: 5 }));
    const logisticsOnly = trades
      .slice(8, 10)
      .map((t) => ({ ...t, modified: now, logistics_no: `SF${t.trade_no}` }));
    await upsertTrades(e2e.stack, [...doubled, ...cancelled, ...logisticsOnly]);

    await waitFor(
      async () => {
        const snapshot = await e2e.stack.snapshot(e2e.kafka);
        return snapshot.loader.updated >= 5 && snapshot.loader.cancelled >= 3 ? snapshot : undefined;
      },
      { timeoutMs: 120000, description: '5 updates and 3 cancellations applied' },
    );
    await e2e.stack.waitUntilIdle(e2e.kafka);

    const after = new Map((await xingchenOrders(e2e.stack)).map((o) => [o.billno, o]));
    for (const trade of doubled) {
      const before = byBill.get(trade.trade_no)!;
      const now = after.get(trade.trade_no)!;
      expect(now.id).toBe(before.id);
      expect(now.modifications).toBe(before.modifications + 1);
      now.body.material_entity.forEach((line, i) => {
        expect(
          new Decimal(String(line.qty)).eq(new Decimal(String(before.body.material_entity[i].qty)).mul(2)),
        ).toBe(true);
        expect(
          new Decimal(String(line.taxprice)).eq(new Decimal(String(before.body.material_entity[i].taxprice))),
        ).toBe(true);
      });
    }
    // a new logistics number is not a business change: no modify
    for (const trade of logisticsOnly)
      expect(after.get(trade.trade_no)!.modifications).toBe(byBill.get(trade.trade_no)!.modifications);

    const db = new Client({ connectionString: e2e.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ bill_no: string; status: string }>(
        'SELECT bill_no, status FROM sales_order_ledger WHERE bill_no = ANY($1) ORDER BY bill_no',
        [cancelled.map((t) => t.trade_no)],
      );
      expect(rows).toEqual(
        cancelled
          .map((t) => ({ bill_no: t.trade_no, status: 'cancelled_in_source' }))
          .sort((a, b) => a.bill_no.localeCompare(b.bill_no)),
      );
    } finally {
      await db.end();
    }

    const report = await reconcileStack(e2e);
    expect(report.counts).toMatchObject({
      missing: 0,
      duplicated: 0,
      stale: 0,
      mismatched: 0,
      cancelledInSource: 3,
    });
    expect(report.cancelledInSource.map((entry) => entry.billNo).sort()).toEqual(
      cancelled.map((t) => t.trade_no).sort(),
    );
  });

  it('replays every raw trade through the replay topic and creates nothing new', async () => {
    const before = await xingchenStats(e2e.stack);
    const ordersBefore = await xingchenOrders(e2e.stack);
    const loaderBefore = (await e2e.stack.snapshot(e2e.kafka)).loader;
    const done = await replayThroughAdmin(e2e.stack, { source: 'raw', from: '1970-01-01T00:00:00Z' });
    expect(done.status).toBe(202);
    expect(done.state).toBe('done');
    expect(done.replayed).toBeGreaterThan(400);
    // idle includes the replay topic's lag and the loader's: everything replayed has been decided
    const idle = await e2e.stack.waitUntilIdle(e2e.kafka, { timeoutMs: 180000 });

    // the latest version of every order came through again: unchanged, or cancelled once more
    const seenAgain = (outcome: 'unchanged' | 'cancelled') => idle.loader[outcome] - loaderBefore[outcome];
    expect(seenAgain('unchanged') + seenAgain('cancelled')).toBeGreaterThanOrEqual(ordersBefore.length);

    const after = await xingchenStats(e2e.stack);
    expect(after.ordersCreated).toBe(before.ordersCreated);
    const ordersAfter = await xingchenOrders(e2e.stack);
    expect(ordersAfter.map((o) => [o.billno, o.modifications])).toEqual(
      ordersBefore.map((o) => [o.billno, o.modifications]),
    );
    const report = await reconcileStack(e2e);
    expect(report.counts).toMatchObject({ missing: 0, duplicated: 0, stale: 0, mismatched: 0 });
  });
});
