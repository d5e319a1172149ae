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
  saveCalls,
  startLoader,
  startSandbox,
  type RunningLoader,
} from './loader-harness';

describe('loader: an unknown SKU is rejected with a reason naming it', () => {
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

  it('dead-letters the order without a save, records rejected, and keeps the partition moving', async () => {
    const topics = await loaderTopics(admin, 1);
    const billNo = billNumber('JY-SKU');
    const next = billNumber('JY-SKU-NEXT');
    const bad = normalizedOrder({
      billNo,
      lines: [
        { sku: 'SKU-001', qty: '1' },
        { sku: 'SKU-404-NOPE', qty: '2' },
      ],
    });
    await produceOrders(kafka, topics.normalized, [bad, normalizedOrder({ billNo: next })]);
    loader = await startLoader(topics, sandbox);

    const [record] = await waitForRecords(kafka, topics.dlq, 1);
    expect(record.key).toBe(billNo);
    expect(record.headers[Headers.dlqErrorReason]).toBe('unknown_material');
    expect(record.headers[Headers.dlqErrorMessage]).toBe('material (SKU) SKU-404-NOPE not found in Xingchen');
    await waitFor(() => sandbox.orders().some((o) => o.billno === next), {
      timeoutMs: 30_000,
      description: 'next order created',
    });

    expect(sandbox.orders().some((o) => o.billno === billNo)).toBe(false);
    expect(saveCalls(sandbox)).toEqual({ ok: 1 });
    expect(sandbox.stats().calls.material_detail?.errcode_1001).toBe(1);
    expect((await ledgerRows([billNo])).get(billNo)).toMatchObject({
      status: 'rejected',
      xingchen_id: null,
      pending_operation: null,
      attempts: 0,
      last_error_code: '1001',
      last_error_message: 'material (SKU) SKU-404-NOPE not found in Xingchen',
    });
    expect(await loaderCounts(loader.url)).toEqual({ created: 1, rejected: 1 });
  });
});
