import { waitFor } from '@app/testing';
import { billNumber, families, ledgerRows, loaderScenario, normalizedOrder } from './loader-harness';

describe.each(families)(
  'loader (%s): a newer version of an order audited in Xingchen is not applied',
  (family) => {
    const s = loaderScenario(family);

    it('records audited_in_xingchen without a save or a DLQ record; the order keeps its content; the partition moves on', async () => {
      const topics = await s.newTopics(1);
      const billNo = billNumber('JY-AUD');
      const next = billNumber('JY-AUD-NEXT');
      const v1 = normalizedOrder({
        billNo,
        modified: '2024-06-18T10:00:00+08:00',
        lines: [{ sku: 'SKU-004', qty: '2' }],
      });
      const v2 = normalizedOrder({
        billNo,
        modified: '2024-06-18T11:00:00+08:00',
        lines: [{ sku: 'SKU-004', qty: '7' }],
      });
      s.loader = await s.start(topics);
      await s.produce(topics, [v1]);
      await waitFor(() => s.sandbox.orders().find((o) => o.billno === billNo), {
        timeoutMs: 60_000,
        description: 'created',
      });
      const { id } = s.sandbox.orders().find((o) => o.billno === billNo)!;
      expect((await fetch(`${s.sandbox.url}/__sandbox/orders/${id}/audit`, { method: 'POST' })).status).toBe(
        200,
      );

      // one partition: the next order is behind the audited one
      await s.produce(topics, [v2, normalizedOrder({ billNo: next })]);
      await waitFor(() => s.sandbox.orders().some((o) => o.billno === next), {
        timeoutMs: 30_000,
        description: 'next order created',
      });
      await waitFor(async () => (await s.counts()).audited === 1, {
        description: 'loader outcome audited',
      });

      expect((await ledgerRows([billNo])).get(billNo)).toMatchObject({
        status: 'audited_in_xingchen',
        xingchen_id: id,
        pending_operation: null,
        synced_content_hash: v1.contentHash,
        content_hash: v2.contentHash,
        last_error_code: 'audited_in_xingchen',
      });
      const stored = s.sandbox.orders().filter((o) => o.billno === billNo);
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ id, audited: true, modifications: 0 });
      expect(s.storedLines(billNo)).toEqual([
        [['2', '59.9000', s.sandbox.state.materials.get('SKU-004')!.baseUnit.id]],
      ]);
      // the stored bill was read, never sent a modify
      expect(s.callsOf(family, 'sal_order_detail').ok).toBe(1);
      expect(s.saveCalls()).toEqual({ ok: 2 });
      expect(await s.deadLetters(topics)).toEqual([]);
      expect(await s.counts()).toEqual({ created: 2, audited: 1 });
    });
  },
);
