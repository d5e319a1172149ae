import { waitFor } from '@app/testing';
import { billNumber, familyEnv, loaderScenario, normalizedOrder } from './loader-harness';

/**
 * V2 with a pushed authorization (XINGCHEN_OUTER_INSTANCE_ID): the app_secret rotates and the
 * app-token expires mid-stream; the token request with the old secret is answered 1030002006.
 */
describe('loader (v2): the app_secret rotates while the loader runs', () => {
  const s = loaderScenario();

  it('fetches the authorization again once, keeps going, dead-letters nothing, and creates every order once', async () => {
    const topics = await s.newTopics();
    const before = Array.from({ length: 10 }, () => billNumber('JY-ROT-A'));
    const after = Array.from({ length: 20 }, () => billNumber('JY-ROT-B'));
    s.loader = await s.start(topics, familyEnv('v2'));
    await s.produce(
      topics,
      before.map((billNo) => normalizedOrder({ billNo })),
    );
    await waitFor(async () => (await s.counts()).created === before.length, {
      timeoutMs: 60_000,
      description: 'first orders created',
    });
    expect(s.callsOf('v2', 'push_app_authorize')).toEqual({ ok: 1 });
    expect(s.callsOf('v2', 'token')).toEqual({ ok: 1 });

    const oldSecret = s.sandbox.credentials.v2.appSecret;
    expect(s.sandbox.rotateSecret()).not.toBe(oldSecret);
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

    // the old secret was refused once, the authorization fetched again once, one new token
    expect(s.callsOf('v2', 'token')).toEqual({ ok: 2, errcode_1030002006: 1 });
    expect(s.callsOf('v2', 'push_app_authorize')).toEqual({ ok: 2 });
    expect(s.callsOf('v2', 'sal_order_save').gw_4011).toBeGreaterThanOrEqual(1);
    for (const billNo of [...before, ...after])
      expect(s.sandbox.orders().filter((o) => o.billno === billNo)).toHaveLength(1);
    expect(s.saveCalls().ok).toBe(before.length + after.length);
    expect(await s.deadLetters(topics)).toEqual([]);
    expect(await s.counts()).toEqual({ created: before.length + after.length });
  });
});
