import { waitFor } from '@app/testing';
import {
  attemptsOf,
  billNumber,
  families,
  ledgerRows,
  loaderScenario,
  normalizedOrder,
} from './loader-harness';

/**
 * 30 % of saves are applied by Xingchen and never answered (the ambiguous case), and every message
 * is delivered twice: still exactly one order per bill number, with the latest content.
 */
describe.each(families)(
  'loader (%s): saves applied but never answered, every message delivered twice',
  (family) => {
    const s = loaderScenario(family, { timeoutAfterApplyRate: 0.3 });

    it('ends with exactly one order per bill and the right content', async () => {
      const topics = await s.newTopics();
      const bills = Array.from({ length: 24 }, () => billNumber('JY-AMB'));
      const v1 = bills.map((billNo) =>
        normalizedOrder({
          billNo,
          modified: '2024-06-18T10:00:00+08:00',
          lines: [{ sku: 'SKU-003', qty: '1' }],
        }),
      );
      // every other bill changes afterwards
      const v2 = bills
        .filter((_, i) => i % 2 === 0)
        .map((billNo) =>
          normalizedOrder({
            billNo,
            modified: '2024-06-18T10:30:00+08:00',
            lines: [{ sku: 'SKU-003', qty: '5' }],
          }),
        );
      const deliveries = [...v1.flatMap((o) => [o, o]), ...v2.flatMap((o) => [o, o])];
      await s.produce(topics, deliveries);
      s.loader = await s.start(topics, {
        XINGCHEN_REQUEST_TIMEOUT_SECONDS: '0.4',
        CONSUMER_RETRY_ATTEMPTS: '30',
      });

      await waitFor(async () => (await s.lag(topics)) === 0, {
        timeoutMs: 90_000,
        description: 'loader lag 0',
      });

      const unit = s.sandbox.state.materials.get('SKU-003')!.baseUnit.id;
      for (const [i, billNo] of bills.entries()) {
        expect(s.sandbox.orders().filter((o) => o.billno === billNo)).toHaveLength(1);
        expect(s.storedLines(billNo)).toEqual([[[i % 2 === 0 ? '5' : '1', '59.9000', unit]]]);
      }
      expect(s.sandbox.orders().filter((o) => bills.includes(o.billno))).toHaveLength(24);
      // the fault really happened, the bills were looked up, and no bill number exists twice
      expect(s.saveCalls().applied_no_answer).toBeGreaterThan(0);
      expect(s.callsOf(family, 'sal_order_list').ok).toBeGreaterThan(0);
      const billnos = s.sandbox.orders().map((o) => o.billno);
      expect(new Set(billnos).size).toBe(billnos.length);
      const rows = await ledgerRows(bills);
      for (const [i, billNo] of bills.entries()) {
        const expected = i % 2 === 0 ? v2[i / 2] : v1[i];
        expect(rows.get(billNo)).toMatchObject({
          status: 'synced',
          pending_operation: null,
          synced_content_hash: expected.contentHash,
        });
      }
      expect(await s.deadLetters(topics)).toEqual([]);
      // an ambiguous create is always followed by a look-up, never by a blind create
      for (const billNo of bills) {
        const attempts = await attemptsOf(billNo);
        attempts.forEach((attempt, index) => {
          if (attempt.operation === 'create' && attempt.outcome === 'ambiguous')
            expect(attempts[index + 1]?.operation).toBe('lookup');
        });
      }
    });
  },
);
