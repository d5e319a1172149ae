/**
 * P2 and P3 of docs/quality.md, measured side by side on the same broker:
 *   P2  BatchingProducer msgs/s ÷ one awaited kafkajs `send` per message (goal ≥ 5)
 *   P3  ConsumerRunner with per-partition concurrency ÷ one message at a time, 50 ms simulated work,
 *       6 partitions (goal ≥ 2.5)
 * Run: npm run bench:kafka   (KAFKA_BROKERS overrides the local broker)
 */
import { Partitioners, type Kafka } from 'kafkajs';
import { BatchingProducer, ConsumerRunner, createKafka, Outcome } from '@app/kafka';
import { createLogger, createServiceMetrics } from '@app/observability';
import { sleep } from '@app/runtime';
import { startBenchInfra, runBench } from './lib/bench-infra';
import { ratio, report } from './lib/report';

const logger = createLogger('bench', 'warn');
const payload = 'x'.repeat(1024);
const suffix = `${Date.now().toString(36)}`;

async function createTopic(kafka: Kafka, topic: string, partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  await admin.disconnect();
}

async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
}

async function perMessageSend(kafka: Kafka, topic: string, count: number): Promise<number> {
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const started = performance.now();
  for (let i = 0; i < count; i++)
    await producer.send({ topic, acks: -1, messages: [{ key: `k${i}`, value: payload }] });
  const seconds = (performance.now() - started) / 1000;
  await producer.disconnect();
  return count / seconds;
}

async function batchedSend(kafka: Kafka, topic: string, count: number): Promise<number> {
  const producer = new BatchingProducer(kafka, createServiceMetrics('bench', 'bench', 'bench'), logger);
  await producer.connect();
  const started = performance.now();
  const inFlight = 2000;
  for (let from = 0; from < count; from += inFlight) {
    const sends: Promise<void>[] = [];
    for (let i = from; i < Math.min(count, from + inFlight); i++)
      sends.push(producer.send(topic, [{ key: `k${i}`, value: payload }]));
    await Promise.all(sends);
  }
  const seconds = (performance.now() - started) / 1000;
  await producer.disconnect();
  return count / seconds;
}

async function consumeWithWork(
  kafka: Kafka,
  topic: string,
  count: number,
  partitionConcurrency: number,
  workMs: number,
): Promise<number> {
  const metrics = createServiceMetrics('bench', 'bench', 'bench');
  const producer = new BatchingProducer(kafka, metrics, logger);
  await producer.connect();
  await Promise.all(
    Array.from({ length: count }, (_, i) => producer.send(topic, [{ key: `order-${i}`, value: payload }])),
  );
  const runner = new ConsumerRunner(kafka, producer, metrics, logger, {
    name: 'bench',
    groupId: `erpsync.bench.${topic}`,
    topics: [topic],
    partitionConcurrency,
  });
  let handled = 0;
  let firstAt = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await runner.start(async () => {
    if (handled === 0) firstAt = performance.now();
    await sleep(workMs);
    if (++handled === count) done();
    return Outcome.done;
  });
  await finished;
  const seconds = (performance.now() - firstAt) / 1000;
  await runner.stop();
  await producer.disconnect();
  return count / seconds;
}

async function main(): Promise<void> {
  const infra = await startBenchInfra();
  try {
    await measure(infra.brokers);
  } finally {
    await infra.stop();
  }
}

async function measure(brokers: string[]): Promise<void> {
  const kafka = createKafka({ brokers, clientId: 'erpsync-bench' });
  const topics = { p2: `bench.p2.${suffix}`, p3seq: `bench.p3seq.${suffix}`, p3par: `bench.p3par.${suffix}` };
  await createTopic(kafka, topics.p2, 6);
  await createTopic(kafka, topics.p3seq, 6);
  await createTopic(kafka, topics.p3par, 6);
  try {
    await batchedSend(kafka, topics.p2, 2000); // warm-up
    const naive = await perMessageSend(kafka, topics.p2, 2000);
    const batched = await batchedSend(kafka, topics.p2, 30000);
    const sequential = await consumeWithWork(kafka, topics.p3seq, 80, 1, 50);
    const concurrent = await consumeWithWork(kafka, topics.p3par, 480, 6, 50);
    report('kafka', [
      ratio({
        id: 'P2',
        description: 'BatchingProducer ÷ one awaited send per message (1 KiB, acks=all)',
        numerator: batched,
        denominator: naive,
        unit: 'msg/s',
        goal: '≥ 5',
        goalMin: 5,
      }),
      ratio({
        id: 'P3',
        description: 'runner, 6 partitions concurrently ÷ one message at a time (50 ms work)',
        numerator: concurrent,
        denominator: sequential,
        unit: 'msg/s',
        goal: '≥ 2.5',
        goalMin: 2.5,
      }),
    ]);
  } finally {
    await deleteTopics(kafka, Object.values(topics));
  }
}

runBench(main);
