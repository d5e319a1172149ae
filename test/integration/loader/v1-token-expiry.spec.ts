import { waitFor } from '@app/testing';
import { billNumber, familyEnv, loaderScenario, normalizedOrder } from './loader-harness';

/** Every V1 access token expires mid-stream: one new login shared by every call in flight, nothing lost. */
describe('loader (v1): access tokens expiring mid-stream', () => {
  const s = loaderScenario();

  it('logs in exactly once more, dead-letters nothing, and creates every order once', async () => {
    const topics = await s.newTopics();
    const before = Array.from({ length: 10 }, () => billNumber('JY-V1TOK-A'));
    const after = Array.from({ length: 20 }, () => billNumber('JY-V1TOK-B'));
    s.loader = await s.start(topics, familyEnv('v1'));
    await s.produce(
      topics,
      before.map((billNo) => normalizedOrder({ billNo })),
    );
    await waitFor(async () => (await s.counts()).created === before.length, {
      timeoutMs: 60_000,
      description: 'first orders created',
    });
    expect(s.callsOf('v1', 'login')).toEqual({ ok: 1 });

    s.sandbox.expireTokens();
    await s.produce(
      topics,
      after.map((billNo) => normalizedOrder({ billNo })),
    );
    await waitFor(async () => (await s.counts()).created === before.length + after.length, {
      timeoutMs: 60_000,
      description: 'every order created',
    });
    await waitFor(async () => (await s.lag(topics)) === 0, {
      description: 'lag 0',
    });

    // the expiry really was met, and answered by one login (the account set is not fetched again)
    expect(s.callsOf('v1', 'sal_order_save').gw_4011).toBeGreaterThanOrEqual(1);
    expect(s.callsOf('v1', 'login')).toEqual({ ok: 2 });
    expect(s.callsOf('v1', 'account_group')).toEqual({ ok: 1 });
    for (const billNo of [...before, ...after])
      expect(s.sandbox.orders().filter((o) => o.billno === billNo)).toHaveLength(1);
    expect(s.saveCalls().ok).toBe(before.length + after.length);
    expect(await s.deadLetters(topics)).toEqual([]);
    expect(await s.counts()).toEqual({ created: before.length + after.length });
  });
});
