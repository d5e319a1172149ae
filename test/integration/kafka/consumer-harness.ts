import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ObservabilityModule } from '@app/observability';
import {
  KafkaModule,
  Outcome,
  startKafkaConsumers,
  type ConsumedMessage,
  type HandlerContext,
  type KafkaConsumerDefinition,
} from '@app/kafka';
import { listeningUrl, testBrokers } from '@app/testing';

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
