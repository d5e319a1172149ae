import { waitFor, waitForRecords } from '@app/testing';
import * as harness from './loader-harness';

describe('loader: a retriable failure that outlasts the retries', () => {
  // every business call answers 519/5003 (api_unavailable, retriable)
  const s = harness.loaderScenario(undefined, { errorRate: 1 });

  it('records failed in the ledger once, in the same pass, and the runner dead-letters it as retries_exhausted', async () => {
    const topics = await harness.loaderTopics(s.admin, 1);
    const billNo = harness.billNumber('JY-EXHAUSTED');
    await harness.produceOrders(s.kafka, topics.normalized, [harness.normalizedOrder({ billNo })]);
    s.loader = await harness.startLoader(topics, s.sandbox, { CONSUMER_RETRY_ATTEMPTS: '2' });

    const [record] = await waitForRecords(s.kafka, topics.dlq, 1);
    expect(record.key).toBe(billNo);
    expect(record.headers).toMatchObject({
      'dlq-original-topic': topics.normalized,
      'dlq-original-partition': '0',
      'dlq-original-offset': '0',
      'dlq-error-class': 'RetriableError',
      // whichever call the loader makes first (today the look-up by bill number) fails the same way
      'dlq-error-message': expect.stringMatching(/^xingchen \w+ failed \(5003 api_unavailable\): /),
      'dlq-error-reason': 'retries_exhausted:api_unavailable',
      'dlq-attempts': '3', // first try + CONSUMER_RETRY_ATTEMPTS
    });
    await waitFor(async () => (await harness.loaderCounts(s.loader!.url)).failed === 1, {
      description: 'failed counted',
    });
    expect((await harness.ledgerRows([billNo])).get(billNo)).toMatchObject({
      status: 'failed',
      xingchen_id: null,
      last_error_code: '5003',
      last_error_message: record.headers['dlq-error-message'],
    });
    expect(await harness.loaderCounts(s.loader.url)).toEqual({ failed: 1 });
    expect(s.sandbox.orders()).toEqual([]);
  });
});
