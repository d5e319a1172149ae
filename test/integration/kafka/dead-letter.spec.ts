import { NonRetriableError, RetriableError } from '@app/contracts';
import {
  createTopics,
  groupLag,
  produce,
  randomTopic,
  readAll,
  suiteBroker,
  uniqueName,
  waitFor,
} from '@app/testing';
import { startConsumerApp } from './consumer-harness';

describe('consumer runner: failures that cannot succeed go to the DLQ with context headers', () => {
  const broker = suiteBroker();

  it('dead-letters a non-retriable failure at once and an exhausted retriable one, and the partition moves on', async () => {
    const topic = randomTopic('dlq');
    await createTopics(broker.admin, [topic, `${topic}.dlq`], 1);
    const groupId = uniqueName('erpsync.test');
    const handled: string[] = [];
    const attempts = new Map<string, number>();
    const service = await startConsumerApp({
      topic,
      groupId,
      handler: async (m) => {
        const value = m.value!.toString();
        attempts.set(value, m.attempt);
        if (value === 'poison')
          throw new NonRetriableError('customer CUST-9 not found', {
            reason: 'customer_not_found',
            code: 2002,
          });
        if (value === 'down')
          throw new RetriableError('xingchen answered 503', { reason: 'server_error', code: 503 });
        handled.push(value);
      },
    });
    try {
      await produce(
        broker.kafka,
        topic,
        ['ok-1', 'poison', 'ok-2', 'down', 'ok-3'].map((value) => ({
          key: 'k',
          value,
          headers: { 'correlation-id': `cid-${value}` },
        })),
      );
      await waitFor(
        async () => handled.length === 3 && (await groupLag(broker.admin, groupId, topic)) === 0,
        {
          description: 'partition moved past the failures',
        },
      );
      expect(handled).toEqual(['ok-1', 'ok-2', 'ok-3']);
      expect(attempts.get('poison')).toBe(1);
      expect(attempts.get('down')).toBe(4); // first try + 3 retries

      const dead = await readAll(broker.kafka, `${topic}.dlq`);
      expect(dead.map((r) => r.value)).toEqual(['poison', 'down']);
      const [poison, down] = dead;
      expect(poison.key).toBe('k');
      expect(poison.headers).toMatchObject({
        'correlation-id': 'cid-poison',
        'dlq-original-topic': topic,
        'dlq-original-partition': '0',
        'dlq-original-offset': '1',
        'dlq-error-class': 'NonRetriableError',
        'dlq-error-message': 'customer CUST-9 not found',
        'dlq-error-reason': 'customer_not_found',
        'dlq-attempts': '1',
      });
      expect(new Date(poison.headers['dlq-failed-at']).toString()).not.toBe('Invalid Date');
      expect(down.headers).toMatchObject({
        'dlq-original-offset': '3',
        'dlq-error-class': 'RetriableError',
        'dlq-error-reason': 'retries_exhausted:server_error',
        'dlq-attempts': '4',
      });
    } finally {
      await service.close();
    }
  });
});
