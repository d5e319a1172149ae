import { families, loaderScenario, waitUntilNotReady } from './loader-harness';

/** XINGCHEN_BASE_URL points at a gateway path that serves neither family: 519 5001 is a configuration error. */
describe.each(families)('loader (%s): a base URL whose paths the gateway does not serve', (family) => {
  const s = loaderScenario(family);

  it('stops at the first 5001 with readiness red naming XINGCHEN_API and XINGCHEN_BASE_URL; nothing dead-lettered', async () => {
    const topics = await s.newTopics();
    const bills = await s.produceNew(topics, 4, 'JY-NOAPI');
    s.loader = await s.start(topics, {
      XINGCHEN_BASE_URL: `${s.sandbox.url}/nothing-here`,
    });

    const detail = await waitUntilNotReady(s.loader, ['api_not_found', 'XINGCHEN_API', 'XINGCHEN_BASE_URL']);
    expect(detail).toContain('5001');

    // one request (the family's first authentication call), answered 519 5001; no retry loop
    expect(s.sandbox.stats().calls).toEqual({ unknown: { gw_5001: 1 } });
    expect(await s.deadLetters(topics)).toEqual([]);
    expect(await s.lag(topics)).toBe(bills.length);
    expect(await s.counts()).toEqual({});
    expect(s.sandbox.orders()).toEqual([]);
  });
});
