import { waitFor } from '@app/testing';
import { billNumber, ledgerRows, loaderScenario, normalizedOrder } from './loader-harness';

describe('loader: a stale version is ignored', () => {
  const s = loaderScenario();

  it('keeps the newer content when an older version arrives later (e.g. a replay)', async () => {
    const topics = await s.newTopics();
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
    s.loader = await s.start(topics);
    await s.produce(topics, [{ ...newer, source: { ...newer.source, versionId: '7' } }]);
    await waitFor(async () => (await s.counts()).created === 1, {
      timeoutMs: 60_000,
      description: 'created',
    });

    await s.produce(topics, [older, sameTimeOlderVersion]);
    await waitFor(async () => (await s.counts()).stale === 2, {
      timeoutMs: 30_000,
      description: '2 stale',
    });

    expect(s.storedLines(billNo)).toEqual([
      [['4', '59.9000', s.sandbox.state.materials.get('SKU-002')!.baseUnit.id]],
    ]);
    expect(s.saveCalls()).toEqual({ ok: 1 });
    expect((await ledgerRows([billNo])).get(billNo)).toMatchObject({
      status: 'synced',
      content_hash: newer.contentHash,
      synced_content_hash: newer.contentHash,
    });
    expect(await s.counts()).toEqual({ created: 1, stale: 2 });
  });
});
