import { Kafka, logLevel, type Admin } from 'kafkajs';
import { createTopics, groupLag, produce, randomTopic, uniqueName, waitFor } from '@app/testing';
import { startPrivateKafka } from '../../chaos/lib/infra';
import { startConsumerApp } from '../integration/kafka/consumer-harness';

describe('fault: the broker stops and comes back', () => {
  let broker: Awaited<ReturnType<typeof startPrivateKafka>>;
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    // a broker of its own: stopping it disturbs nobody else's tests
    broker = await startPrivateKafka();
    kafka = new Kafka({
      brokers: broker.brokers,
      clientId: 'fault-test',
      logLevel: logLevel.NOTHING,
      retry: { retries: 5 },
    });
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.disconnect();
    await broker?.close();
  });

  it('turns /health/ready 503 within 10 s of the broker stopping, back to 200 after, and loses nothing', async () => {
    const [topic] = await createTopics(admin, [randomTopic('broker-fault')], 3);
    const groupId = uniqueName('erpsync.test');
    const seen = new Set<string>();
    const service = await startConsumerApp({
      topic,
      groupId,
      brokers: broker.brokers,
      handler: async (m) => void seen.add(m.value!.toString()),
    });
    try {
      await produce(
        kafka,
        topic,
        Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `before-${i}` })),
      );
      await waitFor(async () => (await fetch(`${service.url}/health/ready`)).status === 200, {
        description: 'ready before the fault',
      });

      await broker.stopBroker();
      const stoppedAt = Date.now();
      await waitFor(async () => (await fetch(`${service.url}/health/ready`)).status === 503, {
        timeoutMs: 15000,
        description: 'readiness 503',
      });
      expect(Date.now() - stoppedAt).toBeLessThanOrEqual(10000);
      expect((await fetch(`${service.url}/health/live`)).status).toBe(200);

      await broker.startBroker();
      await waitFor(async () => (await fetch(`${service.url}/health/ready`)).status === 200, {
        timeoutMs: 90000,
        description: 'ready again',
      });
      await admin.disconnect();
      await admin.connect();
      await produce(
        kafka,
        topic,
        Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `after-${i}` })),
      );
      await waitFor(async () => seen.size === 60 && (await groupLag(admin, groupId, topic)) === 0, {
        timeoutMs: 90000,
        description: 'all 60 handled and committed',
      });
    } finally {
      await service.close();
    }
  });
});
