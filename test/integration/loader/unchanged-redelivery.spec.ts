import { type Admin, type Kafka } from 'kafkajs';
import { groupLag, testKafka, waitFor } from '@app/testing';
import { type XingchenSandbox } from '../../../apps/xingchen-sandbox/src/xingchen-sandbox';
import {
  billNumber,
  loaderCounts,
  loaderTopics,
  normalizedOrder,
  produceOrders,
  saveCalls,
  startLoader,
  startSandbox,
  type RunningLoader,
} from './loader-harness';

describe('loader: an unchanged re-delivery makes no Xingchen call', () => {
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

  it('skips the same content (also with a newer source version, e.g. a new logistics number)', async () => {
    const topics = await loaderTopics(admin);
    const billNo = billNumber('JY-SAME');
    const order = normalizedOrder({ billNo });
    loader = await startLoader(topics, sandbox);
    await produceOrders(kafka, topics.normalized, [order]);
    await waitFor(async () => (await loaderCounts(loader!.url)).created === 1, {
      timeoutMs: 60_000,
      description: 'created',
    });
    const callsAfterCreate = JSON.stringify(sandbox.stats().calls);

    const newerSameContent = { ...order, source: { ...order.source, modified: '2024-06-18T11:00:00+08:00' } };
    await produceOrders(kafka, topics.normalized, [order, order, newerSameContent]);
    await waitFor(async () => (await loaderCounts(loader!.url)).unchanged === 3, {
      timeoutMs: 30_000,
      description: '3 unchanged',
    });
    await waitFor(async () => (await groupLag(admin, topics.group, topics.normalized)) === 0, {
      description: 'lag 0',
    });

    expect(JSON.stringify(sandbox.stats().calls)).toBe(callsAfterCreate);
    expect(saveCalls(sandbox)).toEqual({ ok: 1 });
    expect(sandbox.orders().filter((o) => o.billno === billNo)).toHaveLength(1);
    expect(await loaderCounts(loader.url)).toEqual({ created: 1, unchanged: 3 });
  });
});
