import { waitFor } from '@app/testing';
import { billNumber, loaderScenario, normalizedOrder } from './loader-harness';

describe('loader: an unchanged re-delivery makes no Xingchen call', () => {
  const s = loaderScenario();

  it('skips the same content (also with a newer source version, e.g. a new logistics number)', async () => {
    const topics = await s.newTopics();
    const billNo = billNumber('JY-SAME');
    const order = normalizedOrder({ billNo });
    s.loader = await s.start(topics);
    await s.produce(topics, [order]);
    await waitFor(async () => (await s.counts()).created === 1, {
      timeoutMs: 60_000,
      description: 'created',
    });
    const callsAfterCreate = JSON.stringify(s.sandbox.stats().calls);

    const newerSameContent = { ...order, source: { ...order.source, modified: '2024-06-18T11:00:00+08:00' } };
    await s.produce(topics, [order, order, newerSameContent]);
    await waitFor(async () => (await s.counts()).unchanged === 3, {
      timeoutMs: 30_000,
      description: '3 unchanged',
    });
    await waitFor(async () => (await s.lag(topics)) === 0, {
      description: 'lag 0',
    });

    expect(JSON.stringify(s.sandbox.stats().calls)).toBe(callsAfterCreate);
    expect(s.saveCalls()).toEqual({ ok: 1 });
    expect(s.sandbox.orders().filter((o) => o.billno === billNo)).toHaveLength(1);
    expect(await s.counts()).toEqual({ created: 1, unchanged: 3 });
  });
});
