import { createTopics, groupLag, produce, randomTopic, suiteBroker, uniqueName, waitFor } from '@app/testing';
import { type ConsumedMessage } from '@app/kafka';
import { startConsumerApp } from './consumer-harness';

describe('consumer runner: produce → consume → commit', () => {
  const broker = suiteBroker();

  it('handles every message once, in order per partition, and commits to the end of each partition', async () => {
    const [topic] = await createTopics(broker.admin, [randomTopic('commit')], 3);
    const groupId = uniqueName('erpsync.test');
    const seen: ConsumedMessage[] = [];
    const service = await startConsumerApp({ topic, groupId, handler: async (m) => void seen.push(m) });
    try {
      const messages = Array.from({ length: 60 }, (_, i) => ({
        key: `k${i % 7}`,
        value: String(i),
        headers: { 'correlation-id': `c${i}` },
      }));
      await produce(broker.kafka, topic, messages);

      await waitFor(() => seen.length >= 60, { description: '60 messages handled' });
      await waitFor(async () => (await groupLag(broker.admin, groupId, topic)) === 0, {
        description: 'group lag 0',
      });

      expect(seen.map((m) => Number(m.value!.toString())).sort((a, b) => a - b)).toEqual(
        messages.map((_, i) => i),
      );
      expect(new Set(seen.map((m) => m.headers['correlation-id'])).size).toBe(60);
      for (let partition = 0; partition < 3; partition++) {
        const offsets = seen.filter((m) => m.partition === partition).map((m) => Number(m.offset));
        expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
      }
      // the group id in Kafka is exactly the configured one (no "-server" suffix)
      const { groups } = await broker.admin.describeGroups([groupId]);
      expect(groups[0].groupId).toBe(groupId);
      expect(groups[0].state).toBe('Stable');
    } finally {
      await service.close();
    }
  });
});
