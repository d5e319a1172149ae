import { Decimal } from 'decimal.js';
import { formatWdtTime } from '@app/contracts';
import { LedgerQueries } from '@app/persistence';
import { waitFor } from '@app/testing';
import {
  type E2eStack,
  reconcileStack,
  replayThroughAdmin,
  startE2eStack,
  upsertTrades,
  xingchenFamilies,
  xingchenOrders,
  xingchenStats,
  NO_DRIFT,
} from './e2e-stack';

type Trade = Record<string, unknown> & {
  trade_no: string;
  trade_status: number;
  goods_list: Array<Record<string, unknown>>;
};
const ELIGIBLE = [55, 95, 100, 105, 110, 113];

/** The tax-inclusive price of a stored line, in either family's names. */
const linePrice = (line: Record<string, unknown>) => String(line.taxprice ?? line.tax_price);

describe.each(xingchenFamilies)(
  'e2e (Xingchen %s): a generated day of orders, later modified, audited and cancelled, then replayed',
  (family) => {
    let e2e: E2eStack;

    beforeAll(async () => {
      e2e = await startE2eStack({ trades: 400, seed: 11, xingchenApi: family });
    });
    afterAll(async () => {
      await e2e?.stop();
    });

    it('syncs every eligible trade to exactly one Xingchen order whose every field follows the mapping rules', async () => {
      await e2e.stack.waitUntilIdle(e2e.kafka);
      const trades = (await e2e.stack.sandboxTrades()) as unknown as Trade[];
      const orders = await xingchenOrders(e2e.stack);
      const report = await reconcileStack(e2e);

      expect(report.counts).toMatchObject({
        ...NO_DRIFT,
        rejected: 0,
      });
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

    it('modifies changed orders by id (lines replaced, never added), leaves audited bills alone and records cancellations', async () => {
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
      // audited in Xingchen, then changed in WDT: erpsync must not touch them
      const audited = trades.slice(10, 12);
      for (const trade of audited) {
        const { id } = byBill.get(trade.trade_no)!;
        expect(
          (
            await fetch(`${e2e.stack.url('xingchen-sandbox')}/__sandbox/orders/${id}/audit`, {
              method: 'POST',
            })
          ).status,
        ).toBe(200);
      }
      const auditedChanged = audited.map((t) => ({
        ...t,
        modified: now,
        goods_list: t.goods_list.map((line) => ({
          ...line,
          num: new Decimal(String(line.num)).mul(3).toFixed(4),
          share_amount: new Decimal(String(line.share_amount)).mul(3).toFixed(4),
        })),
      }));
      // one line more and one line less: the stored lines become exactly the new ones
      const [grown, shrunk] = trades.filter((t) => t.goods_list.length >= 2).slice(-2);
      const lineChanges = [
        {
          ...grown,
          modified: now,
          goods_list: [
            ...grown.goods_list,
            { ...grown.goods_list[0], rec_id: `${String(grown.goods_list[0].rec_id)}9` },
          ],
        },
        { ...shrunk, modified: now, goods_list: shrunk.goods_list.slice(0, 1) },
      ];
      await upsertTrades(e2e.stack, [
        ...doubled,
        ...cancelled,
        ...logisticsOnly,
        ...auditedChanged,
        ...lineChanges,
      ]);

      await waitFor(
        async () => {
          const snapshot = await e2e.stack.snapshot(e2e.kafka);
          return snapshot.loader.updated >= 7 &&
            snapshot.loader.cancelled >= 3 &&
            (snapshot.loader.audited ?? 0) >= 2
            ? snapshot
            : undefined;
        },
        { timeoutMs: 120000, description: '7 updates, 2 audited bills and 3 cancellations decided' },
      );
      await e2e.stack.waitUntilIdle(e2e.kafka);

      const after = new Map((await xingchenOrders(e2e.stack)).map((o) => [o.billno, o]));
      for (const trade of doubled) {
        const before = byBill.get(trade.trade_no)!;
        const now = after.get(trade.trade_no)!;
        expect(now.id).toBe(before.id);
        expect(now.modifications).toBe(before.modifications + 1);
        expect(now.entries).toHaveLength(before.entries.length);
        now.entries.forEach((line, i) => {
          expect(new Decimal(String(line.qty)).eq(new Decimal(String(before.entries[i].qty)).mul(2))).toBe(
            true,
          );
          expect(new Decimal(linePrice(line)).eq(new Decimal(linePrice(before.entries[i])))).toBe(true);
        });
      }
      for (const trade of audited) {
        const before = byBill.get(trade.trade_no)!;
        expect(after.get(trade.trade_no)).toMatchObject({
          modifications: before.modifications,
          audited: true,
        });
        expect(after.get(trade.trade_no)!.entries).toEqual(before.entries);
      }
      expect(after.get(grown.trade_no)!.entries).toHaveLength(grown.goods_list.length + 1);
      expect(after.get(shrunk.trade_no)!.entries).toHaveLength(1);
      // a new logistics number is not a business change: no modify
      for (const trade of logisticsOnly)
        expect(after.get(trade.trade_no)!.modifications).toBe(byBill.get(trade.trade_no)!.modifications);

      const ledger = await LedgerQueries.using(e2e.databaseUrl, (queries) =>
        queries.rows([...cancelled, ...audited].map((t) => t.trade_no)),
      );
      expect(ledger.map(({ billNo, status }) => ({ billNo, status }))).toEqual(
        [
          ...cancelled.map((t) => ({ billNo: t.trade_no, status: 'cancelled_in_source' })),
          ...audited.map((t) => ({ billNo: t.trade_no, status: 'audited_in_xingchen' })),
        ].sort((a, b) => a.billNo.localeCompare(b.billNo)),
      );

      const report = await reconcileStack(e2e);
      expect(report.counts).toMatchObject({
        ...NO_DRIFT,
        cancelledInSource: 3,
        auditedInXingchen: 2,
      });
      expect(report.auditedInXingchen.map((entry) => entry.billNo).sort()).toEqual(
        audited.map((t) => t.trade_no).sort(),
      );
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
      const seenAgain = (outcome: 'unchanged' | 'cancelled' | 'audited') =>
        (idle.loader[outcome] ?? 0) - (loaderBefore[outcome] ?? 0);
      expect(seenAgain('unchanged') + seenAgain('cancelled') + seenAgain('audited')).toBeGreaterThanOrEqual(
        ordersBefore.length,
      );

      const after = await xingchenStats(e2e.stack);
      expect(after.ordersCreated).toBe(before.ordersCreated);
      const ordersAfter = await xingchenOrders(e2e.stack);
      expect(ordersAfter.map((o) => [o.billno, o.modifications])).toEqual(
        ordersBefore.map((o) => [o.billno, o.modifications]),
      );
      const report = await reconcileStack(e2e);
      expect(report.counts).toMatchObject(NO_DRIFT);
    });
  },
);
