import { groupLag, produce, waitFor } from '@app/testing';
import { freshTopic, startConsumerApp, useBroker } from './consumer-harness';

describe('consumer runner: a restarted consumer resumes after the last committed offset', () => {
  const { kafka, admin } = useBroker();

  it('loses nothing and re-delivers nothing that was committed', async () => {
    const { topic, groupId } = await freshTopic(admin, 'restart', 2);
    const first: string[] = [];
    const before = await startConsumerApp({
      topic,
      groupId,
      handler: async (m) => void first.push(m.value!.toString()),
    });
    await produce(
      kafka,
      topic,
      Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `a${i}` })),
    );
    await waitFor(async () => first.length === 20 && (await groupLag(admin, groupId, topic)) === 0, {
      description: 'first batch committed',
    });
    await before.close();

    // produced while nobody consumes
    await produce(
      kafka,
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
      await waitFor(async () => second.length >= 15 && (await groupLag(admin, groupId, topic)) === 0, {
        description: 'second batch committed',
      });
      expect(second.sort()).toEqual(Array.from({ length: 15 }, (_, i) => `b${i}`).sort());
      expect(first.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `a${i}`).sort());
    } finally {
      await after.close();
    }
  });
});
