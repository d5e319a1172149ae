import { waitFor } from '@app/testing';
import {
  billNumber,
  families,
  ledgerRows,
  loaderScenario,
  normalizedOrder,
  type OrderSpec,
} from './loader-harness';

/** 2 lines, then 3, then 1: each modify leaves exactly the new lines on the same bill. */
describe.each(families)('loader (%s): the lines of an order change between versions', (family) => {
  const s = loaderScenario(family);

  it('replaces the stored lines each time, on the same bill, without a duplicate', async () => {
    const topics = await s.newTopics(1);
    const billNo = billNumber('JY-LINES');
    const versions: Array<NonNullable<OrderSpec['lines']>> = [
      [
        { sku: 'SKU-001', qty: '2' },
        { sku: 'SKU-002', qty: '3', price: '12.5000' },
      ],
      [
        { sku: 'SKU-001', qty: '5' },
        { sku: 'SKU-002', qty: '6', price: '12.5000' },
        { sku: 'SKU-003', qty: '7', price: '30.0000' },
      ],
      [{ sku: 'SKU-003', qty: '9', price: '31.0000' }],
    ];
    const orders = versions.map((lines, i) =>
      normalizedOrder({ billNo, modified: `2024-06-18T1${i}:00:00+08:00`, lines }),
    );
    const unit = (sku: string) => s.sandbox.state.materials.get(sku)!.baseUnit.id;
    s.loader = await s.start(topics);

    let id: string | undefined;
    for (const [i, order] of orders.entries()) {
      await s.produce(topics, [order]);
      await waitFor(
        async () => (await ledgerRows([billNo])).get(billNo)?.synced_content_hash === order.contentHash,
        { timeoutMs: 60_000, description: `version ${i + 1} synced` },
      );
      const stored = s.sandbox.orders().filter((o) => o.billno === billNo);
      expect(stored).toHaveLength(1);
      id ??= stored[0].id;
      expect(stored[0].id).toBe(id);
      expect(stored[0].modifications).toBe(i);
      expect(stored[0].entries).toHaveLength(versions[i].length);
      expect(s.storedLines(billNo)).toEqual([
        versions[i].map((line) => [line.qty, line.price ?? '59.9000', unit(line.sku)]),
      ]);
    }

    expect(s.sandbox.stats()).toMatchObject({ ordersCreated: 1, ordersModified: 2 });
    expect((await ledgerRows([billNo])).get(billNo)).toMatchObject({
      status: 'synced',
      xingchen_id: id,
      pending_operation: null,
    });
    expect(await s.deadLetters(topics)).toEqual([]);
    expect(await s.counts()).toEqual({ created: 1, updated: 2 });
  });
});
