import { type Admin, type Kafka } from 'kafkajs';
import { groupLag, readAll, testKafka, waitFor } from '@app/testing';
import { type XingchenSandbox } from '../../../apps/xingchen-sandbox/src/xingchen-sandbox';
import {
  attemptsOf,
  billNumber,
  ledgerRows,
  loaderTopics,
  normalizedOrder,
  produceOrders,
  startLoader,
  startSandbox,
  storedLines,
  type RunningLoader,
} from './loader-harness';

/**
 * 30 % of saves are applied by Xingchen and never answered (the ambiguous case), and every message
 * is delivered twice: still exactly one order per bill number, with the latest content.
 */
describe('loader: saves applied but never answered, every message delivered twice', () => {
  let kafka: Kafka;
  let admin: Admin;
  let sandbox: XingchenSandbox;
  let loader: RunningLoader | undefined;

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    sandbox = await startSandbox({ timeoutAfterApplyRate: 0.3 });
  });
  afterAll(async () => {
    await loader?.close();
    await sandbox.close();
    await admin.disconnect();
  });

  it('ends with exactly one order per bill and the right content', async () => {
    const topics = await loaderTopics(admin);
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
    await produceOrders(kafka, topics.normalized, deliveries);
    loader = await startLoader(topics, sandbox, {
      XINGCHEN_REQUEST_TIMEOUT_SECONDS: '0.4',
      CONSUMER_RETRY_ATTEMPTS: '30',
    });

    await waitFor(async () => (await groupLag(admin, topics.group, topics.normalized)) === 0, {
      timeoutMs: 90_000,
      description: 'loader lag 0',
    });

    const unit = sandbox.state.materials.get('SKU-003')!.baseUnit.id;
    for (const [i, billNo] of bills.entries()) {
      expect(sandbox.orders().filter((o) => o.billno === billNo)).toHaveLength(1);
      expect(storedLines(sandbox, billNo)).toEqual([[[i % 2 === 0 ? '5' : '1', '59.9000', unit]]]);
    }
    expect(sandbox.orders().filter((o) => bills.includes(o.billno))).toHaveLength(24);
    // the fault really happened, and the sandbox never saw a duplicate create
    const saves = sandbox.stats().calls.sal_order_save;
    expect(saves.applied_no_answer).toBeGreaterThan(0);
    expect(saves.errcode_2006).toBeUndefined();
    expect(sandbox.stats().calls.sal_order_list?.ok).toBeGreaterThan(0);
    const rows = await ledgerRows(bills);
    for (const [i, billNo] of bills.entries()) {
      const expected = i % 2 === 0 ? v2[i / 2] : v1[i];
      expect(rows.get(billNo)).toMatchObject({
        status: 'synced',
        pending_operation: null,
        synced_content_hash: expected.contentHash,
      });
    }
    expect(await readAll(kafka, topics.dlq)).toEqual([]);
    // an ambiguous create is always followed by a look-up, never by a blind create
    for (const billNo of bills) {
      const attempts = await attemptsOf(billNo);
      attempts.forEach((attempt, index) => {
        if (attempt.operation === 'create' && attempt.outcome === 'ambiguous')
          expect(attempts[index + 1]?.operation).toBe('lookup');
      });
    }
  });
});
