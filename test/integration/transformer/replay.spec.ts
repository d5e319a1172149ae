import { groupLag, produce, readAll, suiteBroker, waitFor, waitForRecords, aTrade } from '@app/testing';
import { startTransformer, transformerTopics } from './transformer-harness';

describe('transformer: the replay topic', () => {
  const broker = suiteBroker();

  it('is consumed by its own group next to live traffic, keeps the replay id, and dead-letters to its own DLQ', async () => {
    const topics = await transformerTopics(broker.admin, 0);
    // the transformer's topic bootstrap creates all five topics before its consumers start
    const service = await startTransformer(topics, {
      KAFKA_BOOTSTRAP_TOPICS: 'true',
      KAFKA_TOPIC_PARTITIONS: '3',
    });
    try {
      const existing = await broker.admin.listTopics();
      expect(
        [topics.raw, topics.replay, topics.normalized, topics.rawDlq, topics.replayDlq].filter(
          (t) => !existing.includes(t),
        ),
      ).toEqual([]);
      const live = Array.from({ length: 30 }, (_, i) => `JY-LIVE-${String(i).padStart(3, '0')}`);
      const replayed = Array.from({ length: 10 }, (_, i) => `JY-REPLAY-${String(i).padStart(3, '0')}`);
      await Promise.all([
        produce(
          broker.kafka,
          topics.raw,
          live.map((no) => ({ key: no, value: JSON.stringify(aTrade({ trade_no: no })) })),
        ),
        produce(broker.kafka, topics.replay, [
          ...replayed.map((no) => ({
            key: no,
            value: JSON.stringify(aTrade({ trade_no: no })),
            headers: { 'replay-id': 'replay-42' },
          })),
          { key: 'bad', value: '{"trade_no":', headers: { 'replay-id': 'replay-42' } },
        ]),
      ]);
      await waitFor(
        async () =>
          (await groupLag(broker.admin, topics.group, topics.raw)) === 0 &&
          (await groupLag(broker.admin, topics.replayGroup, topics.replay)) === 0,
        { timeoutMs: 60000, description: 'both groups committed to the end' },
      );
      const normalized = await waitForRecords(broker.kafka, topics.normalized, 40);
      expect(normalized.map((r) => r.key).sort()).toEqual([...live, ...replayed].sort());
      expect(
        normalized
          .filter((r) => r.headers['replay-id'] === 'replay-42')
          .map((r) => r.key)
          .sort(),
      ).toEqual(replayed);

      const dead = await readAll(broker.kafka, topics.replayDlq);
      expect(
        dead.map((r) => [
          r.key,
          r.headers['dlq-error-reason'],
          r.headers['dlq-original-topic'],
          r.headers['replay-id'],
        ]),
      ).toEqual([['bad', 'not_json', topics.replay, 'replay-42']]);
      expect(await readAll(broker.kafka, topics.rawDlq)).toEqual([]);
    } finally {
      await service.close();
    }
  });
});
