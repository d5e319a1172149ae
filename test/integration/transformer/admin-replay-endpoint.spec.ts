import { groupLag, produce, suiteBroker, waitFor, waitForRecords, aTrade } from '@app/testing';
import { startTransformer, transformerTopics } from './transformer-harness';

const TOKEN = 'replay-secret-for-tests';

describe('transformer: the authenticated replay endpoint', () => {
  const broker = suiteBroker();

  it('refuses without the bearer token, and replays a list of trade numbers through the replay topic with it', async () => {
    const topics = await transformerTopics(broker.admin, 1);
    const service = await startTransformer(topics, { REPLAY_ADMIN_TOKEN: TOKEN });
    try {
      const trades = ['JY-A', 'JY-B', 'JY-C'];
      await produce(
        broker.kafka,
        topics.raw,
        trades.map((no) => ({ key: no, value: JSON.stringify(aTrade({ trade_no: no })) })),
      );
      await waitFor(async () => (await groupLag(broker.admin, topics.group, topics.raw)) === 0, {
        description: 'live consumed',
      });
      await waitForRecords(broker.kafka, topics.normalized, 3);

      const post = (body: unknown, token?: string) =>
        fetch(`${service.url}/admin/replay`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify(body),
        });
      expect((await post({ source: 'raw', tradeNos: ['JY-B'] })).status).toBe(401);
      expect((await post({ source: 'raw', tradeNos: ['JY-B'] }, 'wrong')).status).toBe(401);
      const invalid = await post({ source: 'raw', from: '2024-01-01 00:00:00' }, TOKEN);
      expect(invalid.status).toBe(400);
      expect(JSON.stringify(await invalid.json())).toContain('from must be an ISO-8601 time with an offset');

      const accepted = await post({ source: 'raw', tradeNos: ['JY-B', 'JY-C'] }, TOKEN);
      expect(accepted.status).toBe(202);
      const { id } = (await accepted.json()) as { id: string };
      const final = await waitFor(
        async () => {
          const response = await fetch(`${service.url}/admin/replay/${id}`, {
            headers: { authorization: `Bearer ${TOKEN}` },
          });
          const body = (await response.json()) as { state: string; scanned: number; replayed: number };
          return body.state !== 'running' ? body : undefined;
        },
        { description: 'replay finished' },
      );
      expect(final).toMatchObject({ state: 'done', scanned: 3, replayed: 2 });

      const normalized = await waitForRecords(broker.kafka, topics.normalized, 5);
      const again = normalized
        .filter((r) => r.headers['replay-id'] === id)
        .map((r) => r.key)
        .sort();
      expect(again).toEqual(['JY-B', 'JY-C']);
    } finally {
      await service.close();
    }
  });

  it('is disabled when no token is configured', async () => {
    const topics = await transformerTopics(broker.admin, 1);
    const service = await startTransformer(topics);
    try {
      const response = await fetch(`${service.url}/admin/replay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer anything' },
        body: JSON.stringify({ source: 'raw', tradeNos: ['JY-1'] }),
      });
      expect(response.status).toBe(403);
      expect(JSON.stringify(await response.json())).toContain('set REPLAY_ADMIN_TOKEN');
    } finally {
      await service.close();
    }
  });
});
