import { type Admin, type Kafka } from 'kafkajs';
import { groupLag, readAll, testKafka, waitFor } from '@app/testing';
import { type XingchenSandbox } from '../../../apps/xingchen-sandbox/src/xingchen-sandbox';
import {
  billNumber,
  loaderCounts,
  loaderTopics,
  normalizedOrder,
  produceOrders,
  startLoader,
  startSandbox,
  type RunningLoader,
} from './loader-harness';

describe('loader: a wrong client secret gives one clear error, not a loop', () => {
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

  it('stops consuming, turns readiness red naming the cause, and sends nothing to the DLQ', async () => {
    const topics = await loaderTopics(admin);
    const bills = Array.from({ length: 6 }, () => billNumber('JY-SECRET'));
    await produceOrders(
      kafka,
      topics.normalized,
      bills.map((billNo) => normalizedOrder({ billNo })),
    );
    loader = await startLoader(topics, sandbox, { XINGCHEN_CLIENT_SECRET: 'not-the-secret' });

    const ready = await waitFor(
      async () => {
        const response = await fetch(`${loader!.url}/health/ready`);
        const body = (await response.json()) as { checks: Record<string, { ok: boolean; detail?: string }> };
        return response.status === 503 &&
          body.checks['consumer:loader']?.detail?.includes('XINGCHEN_CLIENT_SECRET')
          ? body
          : undefined;
      },
      { timeoutMs: 60_000, description: 'readiness 503 naming the secret' },
    );
    expect(ready.checks['consumer:loader'].detail).toContain('signature_invalid');

    // exactly one token request, refused with 4008; no business call was ever made
    expect(sandbox.stats().calls).toEqual({ token: { gw_4008: 1 } });
    expect(await readAll(kafka, topics.dlq)).toEqual([]);
    expect(await groupLag(admin, topics.group, topics.normalized)).toBe(6);
    expect(await loaderCounts(loader.url)).toEqual({});
    expect(sandbox.orders()).toEqual([]);
  });
});
