import { RetriableError } from '@app/contracts';
import { createTopics, groupLag, produce, randomTopic, suiteBroker, uniqueName, waitFor } from '@app/testing';
import { startConsumerApp } from './consumer-harness';

describe('consumer runner: a retriable failure is re-delivered and then succeeds', () => {
  const broker = suiteBroker();

  it('retries with backoff, keeps partition order, and nothing reaches the DLQ', async () => {
    const [topic, dlq] = await createTopics(
      broker.admin,
      [randomTopic('retry'), ''].map((t, i, all) => (i === 1 ? `${all[0]}.dlq` : t)),
      1,
    );
    const groupId = uniqueName('erpsync.test');
    const attemptsByValue = new Map<string, number[]>();
    const order: string[] = [];
    const service = await startConsumerApp({
      topic,
      groupId,
      handler: async (m) => {
        const value = m.value!.toString();
        attemptsByValue.set(value, [...(attemptsByValue.get(value) ?? []), m.attempt]);
        if (value === 'flaky' && m.attempt < 3)
          throw new RetriableError('xingchen timed out', { reason: 'timeout' });
        order.push(value);
      },
    });
    try {
      await produce(
        broker.kafka,
        topic,
        ['first', 'flaky', 'last'].map((value) => ({ key: 'same', value })),
      );
      await waitFor(async () => order.length === 3 && (await groupLag(broker.admin, groupId, topic)) === 0, {
        description: 'all handled and committed',
      });
      expect(order).toEqual(['first', 'flaky', 'last']);
      expect(attemptsByValue.get('flaky')).toEqual([1, 2, 3]);
      const dlqOffsets = await broker.admin.fetchTopicOffsets(dlq);
      expect(dlqOffsets.map((p) => p.high)).toEqual(['0']);
    } finally {
      await service.close();
    }
  });
});
