import { type Admin, type Kafka } from 'kafkajs';
import { Headers } from '@app/contracts';
import { testKafka, waitFor, waitForRecords } from '@app/testing';
import { type XingchenSandbox } from '../../../apps/xingchen-sandbox/src/xingchen-sandbox';
import {
  billNumber,
  ledgerRows,
  loaderCounts,
  loaderTopics,
  normalizedOrder,
  produceOrders,
  startLoader,
  startSandbox,
  storedLines,
  type RunningLoader,
} from './loader-harness';

describe('loader: the modification of an audited order is rejected into the DLQ and the ledger', () => {
  let kafka: Kafka;
  let admin: Admin;
  let sandbox: XingchenSandbox;
  let loader: RunningLoader | undefined;

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await loader?.close();
    await sandbox.close();
    await admin.disconnect();
  });

  it('dead-letters the change with reason order_audited and records 2008; the order keeps its content', async () => {
    const topics = await loaderTopics(admin);
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
    loader = await startLoader(topics, sandbox);
    await produceOrders(kafka, topics.normalized, [v1]);
    await waitFor(() => sandbox.orders().find((o) => o.billno === billNo), {
      timeoutMs: 60_000,
      description: 'created',
    });
    const { id } = sandbox.orders().find((o) => o.billno === billNo)!;
    expect((await fetch(`${sandbox.url}/__sandbox/orders/${id}/audit`, { method: 'POST' })).status).toBe(200);

    await produceOrders(kafka, topics.normalized, [v2, normalizedOrder({ billNo: next })]);
    const [record] = await waitForRecords(kafka, topics.dlq, 1);
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
    expect(storedLines(sandbox, billNo)).toEqual([
      [['2', '59.9000', sandbox.state.materials.get('SKU-004')!.baseUnit.id]],
    ]);
    // the partition moved on
    await waitFor(() => sandbox.orders().some((o) => o.billno === next), {
      description: 'next order created',
    });
    expect(await loaderCounts(loader.url)).toEqual({ created: 2, rejected: 1 });
  });
});
