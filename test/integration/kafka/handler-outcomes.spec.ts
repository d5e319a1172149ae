import { NonRetriableError, RetriableError } from '@app/contracts';
import { Outcome, type ConsumedMessage, type HandlerContext } from '@app/kafka';
import { groupLag, produce, readAll, waitFor } from '@app/testing';
import { counter, freshTopic, startConsumerApp, useBroker } from './consumer-harness';

/** The test's handler: each value names the outcome it gets. */
function scriptedHandler() {
  const contexts = new Map<string, HandlerContext[]>();
  const done: string[] = [];
  const busy = new RetriableError('xingchen answered 429', { reason: 'rate_limited' });
  const handler = async (m: ConsumedMessage, context: HandlerContext): Promise<Outcome> => {
    const value = m.value!.toString();
    contexts.set(value, [...(contexts.get(value) ?? []), context]);
    if (value === 'filtered') return Outcome.skip;
    if (value === 'unmapped')
      return Outcome.deadLetter(
        'unmapped_shop',
        new NonRetriableError('shop X is not mapped', { reason: 'unmapped_shop' }),
      );
    if (value === 'hopeless' || (value === 'flaky' && context.attempt < 3)) return Outcome.retry(busy);
    done.push(value);
    return Outcome.done;
  };
  return { contexts, done, handler };
}

describe('consumer runner: outcomes returned by the handler', () => {
  const { kafka, admin } = useBroker();

  it('skips, dead-letters and retries on the outcome alone, with the same headers and metrics as thrown errors', async () => {
    const { contexts, done, handler } = scriptedHandler();
    const ids = await freshTopic(admin, 'outcomes', 1, { withDlq: true });
    const { topic, dlq, groupId } = ids;
    const service = await startConsumerApp({ ...ids, handler });
    try {
      await produce(
        kafka,
        topic,
        ['first', 'filtered', 'unmapped', 'flaky', 'hopeless', 'last'].map((value) => ({ key: 'k', value })),
      );
      await waitFor(async () => done.length === 3 && (await groupLag(admin, groupId, topic)) === 0, {
        description: 'partition moved past every outcome',
      });
      expect(done).toEqual(['first', 'flaky', 'last']);
      expect(contexts.get('flaky')).toEqual([
        { attempt: 1, lastAttempt: false },
        { attempt: 2, lastAttempt: false },
        { attempt: 3, lastAttempt: false },
      ]);
      expect(contexts.get('hopeless')?.map((c) => c.lastAttempt)).toEqual([false, false, false, true]);

      const dead = await readAll(kafka, dlq);
      expect(dead.map((r) => r.value)).toEqual(['unmapped', 'hopeless']);
      expect(dead[0].headers).toMatchObject({
        'dlq-original-topic': topic,
        'dlq-original-partition': '0',
        'dlq-original-offset': '2',
        'dlq-error-class': 'NonRetriableError',
        'dlq-error-message': 'shop X is not mapped',
        'dlq-error-reason': 'unmapped_shop',
        'dlq-attempts': '1',
      });
      expect(dead[1].headers).toMatchObject({
        'dlq-original-offset': '4',
        'dlq-error-class': 'RetriableError',
        'dlq-error-message': 'xingchen answered 429',
        'dlq-error-reason': 'retries_exhausted:rate_limited',
        'dlq-attempts': '4',
      });

      const processed = (outcome: string) =>
        counter(service.url, 'erpsync_messages_processed_total', { topic, outcome });
      expect([
        await processed('success'),
        await processed('skipped'),
        await processed('dead_lettered'),
      ]).toEqual([3, 1, 2]);
      const deadLetters = (reason: string) =>
        counter(service.url, 'erpsync_dead_letter_messages_total', { topic, reason });
      expect([await deadLetters('unmapped_shop'), await deadLetters('retries_exhausted')]).toEqual([1, 1]);
      expect(
        await counter(service.url, 'erpsync_message_retries_total', { topic, reason: 'rate_limited' }),
      ).toBe(5); // flaky twice, hopeless three times
    } finally {
      await service.close();
    }
  });
});
