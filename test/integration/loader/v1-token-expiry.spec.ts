import { groupLag, readAll, waitFor } from '@app/testing';
import {
  billNumber,
  callsOf,
  familyEnv,
  loaderCounts,
  loaderScenario,
  loaderTopics,
  normalizedOrder,
  produceOrders,
  saveCalls,
  startLoader,
} from './loader-harness';

/** Every V1 access token expires mid-stream: one new login shared by every call in flight, nothing lost. */
describe('loader (v1): access tokens expiring mid-stream', () => {
  const s = loaderScenario();

  it('logs in exactly once more, dead-letters nothing, and creates every order once', async () => {
    const topics = await loaderTopics(s.admin);
    const before = Array.from({ length: 10 }, () => billNumber('JY-V1TOK-A'));
    const after = Array.from({ length: 20 }, () => billNumber('JY-V1TOK-B'));
    s.loader = await startLoader(topics, s.sandbox, familyEnv('v1'));
    await produceOrders(
      s.kafka,
      topics.normalized,
      before.map((billNo) => normalizedOrder({ billNo })),
    );
    await waitFor(async () => (await loaderCounts(s.loader!.url)).created === before.length, {
      timeoutMs: 60_000,
      description: 'first orders created',
    });
    expect(callsOf(s.sandbox, 'v1', 'login')).toEqual({ ok: 1 });

    s.sandbox.expireTokens();
    await produceOrders(
      s.kafka,
      topics.normalized,
      after.map((billNo) => normalizedOrder({ billNo })),
    );
    await waitFor(async () => (await loaderCounts(s.loader!.url)).created === before.length + after.length, {
      timeoutMs: 60_000,
      description: 'every order created',
    });
    await waitFor(async () => (await groupLag(s.admin, topics.group, topics.normalized)) === 0, {
      description: 'lag 0',
    });

    // the expiry really was met, and answered by one login (the account set is not fetched again)
    expect(callsOf(s.sandbox, 'v1', 'sal_order_save').gw_4011).toBeGreaterThanOrEqual(1);
    expect(callsOf(s.sandbox, 'v1', 'login')).toEqual({ ok: 2 });
    expect(callsOf(s.sandbox, 'v1', 'account_group')).toEqual({ ok: 1 });
    for (const billNo of [...before, ...after])
      expect(s.sandbox.orders().filter((o) => o.billno === billNo)).toHaveLength(1);
    expect(saveCalls(s.sandbox).ok).toBe(before.length + after.length);
    expect(await readAll(s.kafka, topics.dlq)).toEqual([]);
    expect(await loaderCounts(s.loader.url)).toEqual({ created: before.length + after.length });
  });
});
