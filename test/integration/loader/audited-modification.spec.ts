import { Headers } from '@app/contracts';
import { waitFor, waitForRecords } from '@app/testing';
import {
  billNumber,
  ledgerRows,
  loaderCounts,
  loaderScenario,
  loaderTopics,
  normalizedOrder,
  produceOrders,
  startLoader,
  storedLines,
} from './loader-harness';

describe('loader: the modification of an audited order is rejected into the DLQ and the ledger', () => {
  const s = loaderScenario();

  it('dead-letters the change with reason order_audited and records 2008; the order keeps its content', async () => {
    const topics = await loaderTopics(s.admin);
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
    s.loader = await startLoader(topics, s.sandbox);
    await produceOrders(s.kafka, topics.normalized, [v1]);
    await waitFor(() => s.sandbox.orders().find((o) => o.billno === billNo), {
      timeoutMs: 60_000,
      description: 'created',
    });
    const { id } = s.sandbox.orders().find((o) => o.billno === billNo)!;
    expect((await fetch(`${s.sandbox.url}/__sandbox/orders/${id}/audit`, { method: 'POST' })).status).toBe(
      200,
    );

    await produceOrders(s.kafka, topics.normalized, [v2, normalizedOrder({ billNo: next })]);
    const [record] = await waitForRecords(s.kafka, topics.dlq, 1);
    expect(record.key).toBe(billNo);
    expect(JSON.parse(record.value!)).toEqual(v2);
    expect(record.headers[Headers.dlqErrorReason]).toBe('order_audited');
    expect(record.headers[Headers.dlqErrorClass]).toBe('XingchenBusinessError');
    expect(record.headers[Headers.dlqErrorMessage]).toContain('2008 order_audited');
    expect(record.headers[Headers.dlqOriginalTopic]).toBe(topics.normalized);

    expect((await ledgerRows([billNo])).get(billNo)).toMatchObject({
      status: 'rejected',
      xingchen_id: id,
      pending_operation: null,
      synced_content_hash: v1.contentHash,
      content_hash: v2.contentHash,
      last_error_code: '2008',
    });
    expect(storedLines(s.sandbox, billNo)).toEqual([
      [['2', '59.9000', s.sandbox.state.materials.get('SKU-004')!.baseUnit.id]],
    ]);
    // the partition moved on
    await waitFor(() => s.sandbox.orders().some((o) => o.billno === next), {
      description: 'next order created',
    });
    expect(await loaderCounts(s.loader.url)).toEqual({ created: 2, rejected: 1 });
  });
});
