import { FatalError } from '@app/contracts';
import { createTopics, groupLag, produce, randomTopic, suiteBroker, uniqueName, waitFor } from '@app/testing';
import { startConsumerApp } from './consumer-harness';

describe('consumer runner: a fatal error stops the consumer and readiness turns red', () => {
  const broker = suiteBroker();

  it('answers /health/ready 200 while consuming and 503 naming the cause after a FatalError, without committing it', async () => {
    const [topic] = await createTopics(broker.admin, [randomTopic('fatal')], 1);
    const groupId = uniqueName('erpsync.test');
    let calls = 0;
    const service = await startConsumerApp({
      topic,
      groupId,
      handler: async (m) => {
        calls++;
        if (m.value!.toString() === 'bad-secret') {
          throw new FatalError('Xingchen rejected the client secret: check XINGCHEN_CLIENT_SECRET', {
            reason: 'auth',
            code: 4005,
          });
        }
      },
    });
    try {
      await produce(broker.kafka, topic, [{ key: 'a', value: 'fine' }]);
      await waitFor(async () => (await groupLag(broker.admin, groupId, topic)) === 0, {
        description: 'first message committed',
      });
      const live = await fetch(`${service.url}/health/ready`);
      expect(live.status).toBe(200);

      await produce(broker.kafka, topic, [
        { key: 'a', value: 'bad-secret' },
        { key: 'a', value: 'after' },
      ]);
      const body = await waitFor(
        async () => {
          const response = await fetch(`${service.url}/health/ready`);
          return response.status === 503
            ? ((await response.json()) as { checks: Record<string, { ok: boolean; detail?: string }> })
            : undefined;
        },
        { description: 'readiness 503' },
      );
      expect(body.checks['consumer:test']).toEqual({
        ok: false,
        detail: expect.stringContaining('check XINGCHEN_CLIENT_SECRET'),
      });
      expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
      expect(calls).toBe(2); // no loop: the fatal message was tried once and nothing after it
      expect(await groupLag(broker.admin, groupId, topic)).toBe(2);
    } finally {
      await service.close();
    }
  });
});
