import { createTopics, groupLag, produce, randomTopic, suiteBroker, uniqueName, waitFor } from '@app/testing';
import { startConsumerApp } from './consumer-harness';

describe('consumer runner: a restarted consumer resumes after the last committed offset', () => {
  const broker = suiteBroker();

  it('loses nothing and re-delivers nothing that was committed', async () => {
    const [topic] = await createTopics(broker.admin, [randomTopic('restart')], 2);
    const groupId = uniqueName('erpsync.test');
    const first: string[] = [];
    const before = await startConsumerApp({
      topic,
      groupId,
      handler: async (m) => void first.push(m.value!.toString()),
    });
    await produce(
      broker.kafka,
      topic,
      Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `a${i}` })),
    );
    await waitFor(async () => first.length === 20 && (await groupLag(broker.admin, groupId, topic)) === 0, {
      description: 'first batch committed',
    });
    await before.close();

    // produced while nobody consumes
    await produce(
      broker.kafka,
      topic,
      Array.from({ length: 15 }, (_, i) => ({ key: `k${i}`, value: `b${i}` })),
    );

    const second: string[] = [];
    const after = await startConsumerApp({
      topic,
      groupId,
      handler: async (m) => void second.push(m.value!.toString()),
    });
    try {
      await waitFor(async () => second.length >= 15 && (await groupLag(broker.admin, groupId, topic)) === 0, {
        description: 'second batch committed',
      });
      expect(second.sort()).toEqual(Array.from({ length: 15 }, (_, i) => `b${i}`).sort());
      expect(first.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `a${i}`).sort());
    } finally {
      await after.close();
    }
  });
});
