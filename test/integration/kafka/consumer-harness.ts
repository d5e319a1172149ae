import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type Admin, type Kafka } from 'kafkajs';
import { ObservabilityModule } from '@app/observability';
import {
  KafkaModule,
  Outcome,
  startKafkaConsumers,
  type ConsumedMessage,
  type HandlerContext,
  type KafkaConsumerDefinition,
} from '@app/kafka';
import { createTopics, listeningUrl, randomTopic, testBrokers, testKafka, uniqueName } from '@app/testing';

/** A test's handler: resolving without an outcome means `done`. */
export type TestHandler = (message: ConsumedMessage, context: HandlerContext) => Promise<Outcome | void>;

/** A real Nest app (HTTP + one consumer started by startKafkaConsumers) whose handler the test controls. */
export async function startConsumerApp(options: {
  topic: string;
  groupId: string;
  handler: TestHandler;
  consumer?: Partial<KafkaConsumerDefinition>;
  brokers?: string[];
}): Promise<{ app: INestApplication; url: string; close: () => Promise<void> }> {
  @Module({
    imports: [
      ObservabilityModule.forRoot({
        service: 'kafka-test',
        version: 'test',
        commit: 'test',
        logLevel: 'silent',
      }),
      KafkaModule.forRoot({
        connection: { brokers: options.brokers ?? testBrokers(), clientId: 'kafka-test' },
      }),
    ],
  })
  class TestAppModule {}

  const app = await NestFactory.create(TestAppModule, { logger: false });
  await app.init();
  await startKafkaConsumers(app, [
    {
      name: 'test',
      groupId: options.groupId,
      topics: [options.topic],
      partitionConcurrency: 3,
      retry: { attempts: 3, initialMs: 20, maxMs: 100 },
      ...options.consumer,
      handler: async (message, context) => (await options.handler(message, context)) ?? Outcome.done,
    },
  ]);
  await app.listen(0, '127.0.0.1');
  return { app, url: listeningUrl(app), close: () => app.close() };
}

/** A Kafka client and an admin connected for the tests of the calling `describe` block. */
export function useBroker(): { kafka: Kafka; admin: Admin } {
  const kafka = testKafka();
  const admin = kafka.admin();
  beforeAll(() => admin.connect());
  afterAll(() => admin.disconnect());
  return { kafka, admin };
}

/** A fresh topic with `partitions` partitions (and its `.dlq` when asked) and a fresh consumer group id. */
export async function freshTopic(
  admin: Admin,
  prefix: string,
  partitions: number,
  options: { withDlq?: boolean } = {},
): Promise<{ topic: string; dlq: string; groupId: string }> {
  const topic = randomTopic(prefix);
  const dlq = `${topic}.dlq`;
  await createTopics(admin, options.withDlq ? [topic, dlq] : [topic], partitions);
  return { topic, dlq, groupId: uniqueName('erpsync.test') };
}

/** The value of one counter series on the app's /metrics (labels in the order prom-client writes them). */
export async function counter(url: string, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const series = `${name}{${Object.entries(labels)
    .map(([label, value]) => `${label}="${value}"`)
    .join(',')}}`;
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}
