import { groupLag, readAll, waitFor } from '@app/testing';
import {
  billNumber,
  loaderCounts,
  loaderScenario,
  loaderTopics,
  normalizedOrder,
  produceOrders,
  startLoader,
} from './loader-harness';

describe('loader: a wrong client secret gives one clear error, not a loop', () => {
  const s = loaderScenario();

  it('stops consuming, turns readiness red naming the cause, and sends nothing to the DLQ', async () => {
    const topics = await loaderTopics(s.admin);
    const bills = Array.from({ length: 6 }, () => billNumber('JY-SECRET'));
    await produceOrders(
      s.kafka,
      topics.normalized,
      bills.map((billNo) => normalizedOrder({ billNo })),
    );
    s.loader = await startLoader(topics, s.sandbox, { XINGCHEN_CLIENT_SECRET: 'not-the-secret' });

    const ready = await waitFor(
      async () => {
        const response = await fetch(`${s.loader!.url}/health/ready`);
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
    expect(s.sandbox.stats().calls).toEqual({ token: { gw_4008: 1 } });
    expect(await readAll(s.kafka, topics.dlq)).toEqual([]);
    expect(await groupLag(s.admin, topics.group, topics.normalized)).toBe(6);
    expect(await loaderCounts(s.loader.url)).toEqual({});
    expect(s.sandbox.orders()).toEqual([]);
  });
});
