import { Headers } from '@app/contracts';
import { waitFor, waitForRecords } from '@app/testing';
import { billNumber, families, ledgerRows, loaderScenario, normalizedOrder } from './loader-harness';

describe.each(families)('loader (%s): an unknown SKU is rejected with a reason naming it', (family) => {
  const s = loaderScenario(family);

  it('dead-letters the order without a save, records rejected, and keeps the partition moving', async () => {
    const topics = await s.newTopics(1);
    const billNo = billNumber('JY-SKU');
    const next = billNumber('JY-SKU-NEXT');
    const bad = normalizedOrder({
      billNo,
      lines: [
        { sku: 'SKU-001', qty: '1' },
        { sku: 'SKU-404-NOPE', qty: '2' },
      ],
    });
    await s.produce(topics, [bad, normalizedOrder({ billNo: next })]);
    s.loader = await s.start(topics);

    const [record] = await waitForRecords(s.kafka, topics.dlq, 1);
    expect(record.key).toBe(billNo);
    expect(record.headers[Headers.dlqErrorReason]).toBe('unknown_material');
    expect(record.headers[Headers.dlqErrorMessage]).toBe('material (SKU) SKU-404-NOPE not found in Xingchen');
    await waitFor(() => s.sandbox.orders().some((o) => o.billno === next), {
      timeoutMs: 30_000,
      description: 'next order created',
    });

    expect(s.sandbox.orders().some((o) => o.billno === billNo)).toBe(false);
    expect(s.saveCalls()).toEqual({ ok: 1 });
    if (family === 'v2') {
      // the detail by number refuses, the list confirms: no row with exactly that number
      expect(s.callsOf('v2', 'material_detail').errcode_1001).toBe(1);
      expect(s.callsOf('v2', 'material_list').ok).toBeGreaterThanOrEqual(1);
    } else {
      // V1 looks materials up by list: no row with exactly that number, no detail asked for it
      expect(s.callsOf('v1', 'material_list').ok).toBeGreaterThanOrEqual(1);
      expect(s.callsOf('v1', 'material_detail').not_found).toBeUndefined();
    }
    expect((await ledgerRows([billNo])).get(billNo)).toMatchObject({
      status: 'rejected',
      xingchen_id: null,
      pending_operation: null,
      attempts: 0,
      last_error_code: '1001',
      last_error_message: 'material (SKU) SKU-404-NOPE not found in Xingchen',
    });
    expect(await s.counts()).toEqual({ created: 1, rejected: 1 });
  });
});
