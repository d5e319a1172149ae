import { waitFor } from '@app/testing';
import { billNumber, families, ledgerRows, loaderScenario, normalizedOrder } from './loader-harness';

describe.each(families)('loader (%s): a changed order is modified by id', (family) => {
  const s = loaderScenario(family);

  it('modifies the same Xingchen order (same id, one create, one modify) with the new content', async () => {
    const topics = await s.newTopics();
    const billNo = billNumber('JY-MOD');
    const v1 = normalizedOrder({
      billNo,
      modified: '2024-06-18T10:05:00+08:00',
      lines: [{ sku: 'SKU-001', qty: '2' }],
    });
    const v2 = normalizedOrder({
      billNo,
      modified: '2024-06-18T10:20:00+08:00',
      lines: [
        { sku: 'SKU-001', qty: '3' },
        { sku: 'SKU-010', qty: '1', price: '45.5000' },
      ],
    });
    s.loader = await s.start(topics);
    await s.produce(topics, [v1]);
    await waitFor(() => s.sandbox.orders().some((o) => o.billno === billNo), {
      timeoutMs: 60_000,
      description: 'created',
    });
    const { id } = s.sandbox.orders().find((o) => o.billno === billNo)!;

    await s.produce(topics, [v2]);
    await waitFor(() => s.sandbox.orders().find((o) => o.billno === billNo)?.modifications === 1, {
      timeoutMs: 30_000,
      description: 'modified',
    });

    const stored = s.sandbox.orders().filter((o) => o.billno === billNo);
    expect(stored.map((o) => o.id)).toEqual([id]);
    const unit = (sku: string) => s.sandbox.state.materials.get(sku)!.baseUnit.id;
    expect(s.storedLines(billNo)).toEqual([
      [
        ['3', '59.9000', unit('SKU-001')],
        ['1', '45.5000', unit('SKU-010')],
      ],
    ]);
    expect(s.saveCalls()).toEqual({ ok: 2 });
    expect(s.sandbox.stats()).toMatchObject({ ordersCreated: 1, ordersModified: 1 });
    await waitFor(
      async () => (await ledgerRows([billNo])).get(billNo)?.synced_content_hash === v2.contentHash,
      { description: 'ledger synced v2' },
    );
    expect((await ledgerRows([billNo])).get(billNo)).toMatchObject({
      status: 'synced',
      xingchen_id: id,
      attempts: 2,
      pending_operation: null,
    });
    expect(await s.counts()).toEqual({ created: 1, updated: 1 });
  });
});
