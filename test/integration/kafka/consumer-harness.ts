import { Controller, Inject, Module, type INestApplication } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { NestFactory } from '@nestjs/core';
import { ObservabilityModule } from '@app/observability';
import {
  ConsumeTopic,
  connectKafkaConsumers,
  KafkaModule,
  type ConsumedMessage,
  type HandlerOutcome,
  type KafkaConsumerDefinition,
} from '@app/kafka';
import { listeningUrl, testBrokers } from '@app/testing';

export type TestHandler = (message: ConsumedMessage) => Promise<HandlerOutcome | void>;
export const HANDLER = Symbol('HANDLER');

/** A real Nest hybrid app (HTTP + the Kafka transport) whose single handler the test controls. */
export async function startConsumerApp(options: {
  topic: string;
  groupId: string;
  handler: TestHandler;
  consumer?: Partial<KafkaConsumerDefinition>;
  brokers?: string[];
}): Promise<{ app: INestApplication; url: string; close: () => Promise<void> }> {
  @Controller()
  class TestConsumer {
    constructor(@Inject(HANDLER) private readonly handle: TestHandler) {}

    @ConsumeTopic(options.topic)
    consume(@Payload() message: ConsumedMessage): Promise<HandlerOutcome | void> {
      return this.handle(message);
    }
  }

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
    controllers: [TestConsumer],
    providers: [{ provide: HANDLER, useValue: options.handler }],
  })
  class TestAppModule {}

  const app = await NestFactory.create(TestAppModule, { logger: false });
  connectKafkaConsumers(app, [
    {
      name: 'test',
      groupId: options.groupId,
      topics: [options.topic],
      partitionConcurrency: 3,
      retry: { attempts: 3, initialMs: 20, maxMs: 100 },
      ...options.consumer,
    },
  ]);
  await app.startAllMicroservices();
  await app.listen(0, '127.0.0.1');
  return { app, url: listeningUrl(app), close: () => app.close() };
}
