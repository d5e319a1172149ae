import { groupLag, waitFor } from '@app/testing';
import {
  billNumber,
  loaderCounts,
  loaderScenario,
  loaderTopics,
  normalizedOrder,
  produceOrders,
  saveCalls,
  startLoader,
} from './loader-harness';

describe('loader: an unchanged re-delivery makes no Xingchen call', () => {
  const s = loaderScenario();

  it('skips the same content (also with a newer source version, e.g. a new logistics number)', async () => {
    const topics = await loaderTopics(s.admin);
    const billNo = billNumber('JY-SAME');
    const order = normalizedOrder({ billNo });
    s.loader = await startLoader(topics, s.sandbox);
    await produceOrders(s.kafka, topics.normalized, [order]);
    await waitFor(async () => (await loaderCounts(s.loader!.url)).created === 1, {
      timeoutMs: 60_000,
      description: 'created',
    });
    const callsAfterCreate = JSON.stringify(s.sandbox.stats().calls);

    const newerSameContent = { ...order, source: { ...order.source, modified: '2024-06-18T11:00:00+08:00' } };
    await produceOrders(s.kafka, topics.normalized, [order, order, newerSameContent]);
    await waitFor(async () => (await loaderCounts(s.loader!.url)).unchanged === 3, {
      timeoutMs: 30_000,
      description: '3 unchanged',
    });
    await waitFor(async () => (await groupLag(s.admin, topics.group, topics.normalized)) === 0, {
      description: 'lag 0',
    });

    expect(JSON.stringify(s.sandbox.stats().calls)).toBe(callsAfterCreate);
    expect(saveCalls(s.sandbox)).toEqual({ ok: 1 });
    expect(s.sandbox.orders().filter((o) => o.billno === billNo)).toHaveLength(1);
    expect(await loaderCounts(s.loader.url)).toEqual({ created: 1, unchanged: 3 });
  });
});
