import { type INestApplicationContext } from '@nestjs/common';
import { type Kafka } from 'kafkajs';
import { type Logger } from 'pino';
import { HealthRegistry, LOGGER, METRICS, type Metrics } from '@app/observability';
import { ConsumerRunner } from './consumer-runner';
import { type ConsumerRunnerOptions, type MessageHandler } from './consumer.types';
import { ConsumerRegistry, KAFKA, KafkaLifecycle } from './kafka.module';
import { BatchingProducer } from './producer';

export interface KafkaConsumerDefinition extends Omit<ConsumerRunnerOptions, 'yieldWhile'> {
  /** Name of another consumer of this process that has priority over this one (replay yields to live). */
  yieldTo?: string;
}

/** A consumer of a service: where it reads and the plain function that handles each message. */
export interface KafkaConsumer extends KafkaConsumerDefinition {
  handler: MessageHandler;
}

/**
 * Starts the consumers of a service inside its Nest application (topics bootstrapped and the producer
 * connected first). Each gets a readiness check `consumer:<name>`; KafkaLifecycle stops them at
 * shutdown, before the producer disconnects. Consumer group ids are used exactly as given.
 */
export async function startKafkaConsumers(
  app: INestApplicationContext,
  consumers: KafkaConsumer[],
): Promise<ConsumerRunner[]> {
  await app.get(KafkaLifecycle).ensureInitialized();
  const registry = app.get(ConsumerRegistry);
  const health = app.get(HealthRegistry);
  const started: Array<{ runner: ConsumerRunner; handler: MessageHandler }> = [];
  for (const { yieldTo, handler, ...options } of consumers) {
    const leader = yieldTo ? started.find(({ runner }) => runner.name === yieldTo)?.runner : undefined;
    if (yieldTo && !leader)
      throw new Error(`consumer "${options.name}" yields to unknown consumer "${yieldTo}"`);
    const runner = new ConsumerRunner(
      app.get<Kafka>(KAFKA),
      app.get(BatchingProducer),
      app.get<Metrics>(METRICS),
      app.get<Logger>(LOGGER),
      { ...options, yieldWhile: leader ? () => leader.isBusy() : undefined },
    );
    registry.add(runner);
    health.register({
      name: `consumer:${runner.name}`,
      check: () => {
        const state = runner.health();
        if (state.crashed)
          return { ok: false, detail: `consumer crashed: ${state.cause ?? 'unknown cause'}` };
        if (state.joined) return { ok: true };
        const last = state.cause ? ` (last: ${state.cause})` : '';
        return { ok: false, detail: `consumer has not joined its group${last}` };
      },
    });
    started.push({ runner, handler });
  }
  for (const { runner, handler } of started) await runner.start(handler);
  return started.map(({ runner }) => runner);
}
