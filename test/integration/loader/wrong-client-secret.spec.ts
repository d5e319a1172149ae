import { families, loaderScenario, waitUntilNotReady } from './loader-harness';

/** What each family's first authentication call answers to a wrong client secret. */
const expected = {
  // the legacy login refuses the credentials (HTTP 200, errcode 1000): the four variables are named
  v1: {
    words: ['login_rejected', 'XINGCHEN_CLIENT_SECRET', 'XINGCHEN_USERNAME', 'XINGCHEN_PASSWORD'],
    calls: { 'v1.login': { errcode_1000: 1 } },
  },
  // the gateway signature does not match (519 4008) on the first signed call
  v2: {
    words: ['signature_invalid', 'XINGCHEN_CLIENT_SECRET'],
    calls: { 'v2.push_app_authorize': { gw_4008: 1 } },
  },
} as const;

describe.each(families)('loader (%s): a wrong client secret gives one clear error, not a loop', (family) => {
  const s = loaderScenario(family);

  it('stops consuming, turns readiness red naming the cause, and sends nothing to the DLQ', async () => {
    const topics = await s.newTopics();
    await s.produceNew(topics, 6, 'JY-SECRET');
    s.loader = await s.start(topics, {
      XINGCHEN_CLIENT_SECRET: 'not-the-secret',
    });

    await waitUntilNotReady(s.loader, [...expected[family].words]);

    // exactly one authentication request, refused; no business call was ever made
    expect(s.sandbox.stats().calls).toEqual(expected[family].calls);
    expect(await s.deadLetters(topics)).toEqual([]);
    expect(await s.lag(topics)).toBe(6);
    expect(await s.counts()).toEqual({});
    expect(s.sandbox.orders()).toEqual([]);
  });
});
