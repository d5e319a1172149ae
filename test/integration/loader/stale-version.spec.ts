import { type Admin, type Kafka } from 'kafkajs';
import { testKafka, waitFor } from '@app/testing';
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
  storedLines,
  type RunningLoader,
} from './loader-harness';

describe('loader: a stale version is ignored', () => {
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

  it('keeps the newer content when an older version arrives later (e.g. a replay)', async () => {
    const topics = await loaderTopics(admin);
    const billNo = billNumber('JY-STALE');
    const newer = normalizedOrder({
      billNo,
      modified: '2024-06-18T12:00:00+08:00',
      lines: [{ sku: 'SKU-002', qty: '4' }],
    });
    const older = normalizedOrder({
      billNo,
      modified: '2024-06-18T09:00:00+08:00',
      lines: [{ sku: 'SKU-002', qty: '1' }],
    });
    const sameTimeOlderVersion = normalizedOrder({
      billNo,
      modified: '2024-06-18T12:00:00+08:00',
      versionId: '1',
      lines: [{ sku: 'SKU-002', qty: '9' }],
    });
    loader = await startLoader(topics, sandbox);
    await produceOrders(kafka, topics.normalized, [
      { ...newer, source: { ...newer.source, versionId: '7' } },
    ]);
    await waitFor(async () => (await loaderCounts(loader!.url)).created === 1, {
      timeoutMs: 60_000,
      description: 'created',
    });

    await produceOrders(kafka, topics.normalized, [older, sameTimeOlderVersion]);
    await waitFor(async () => (await loaderCounts(loader!.url)).stale === 2, {
      timeoutMs: 30_000,
      description: '2 stale',
    });

    expect(storedLines(sandbox, billNo)).toEqual([
      [['4', '59.9000', sandbox.state.materials.get('SKU-002')!.baseUnit.id]],
    ]);
    expect(saveCalls(sandbox)).toEqual({ ok: 1 });
    expect((await ledgerRows([billNo])).get(billNo)).toMatchObject({
      status: 'synced',
      content_hash: newer.contentHash,
      synced_content_hash: newer.contentHash,
    });
    expect(await loaderCounts(loader.url)).toEqual({ created: 1, stale: 2 });
  });
});
