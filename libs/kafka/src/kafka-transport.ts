import {
  applyDecorators,
  Catch,
  UseFilters,
  type INestApplication,
  type RpcExceptionFilter,
} from '@nestjs/common';
import { CustomTransportStrategy, EventPattern, Server } from '@nestjs/microservices';
import { type Kafka } from 'kafkajs';
import { type Logger } from 'pino';
import { lastValueFrom, throwError, type Observable } from 'rxjs';
import { NonRetriableError } from '@app/contracts';
import { HealthRegistry, LOGGER, METRICS, type Metrics } from '@app/observability';
import { ConsumerRunner } from './consumer-runner';
import { type ConsumedMessage, type ConsumerRunnerOptions, type HandlerOutcome } from './consumer.types';
import { ConsumerRegistry, KAFKA, KafkaLifecycle } from './kafka.module';
import { BatchingProducer } from './producer';

export interface KafkaConsumerDefinition extends Omit<ConsumerRunnerOptions, 'yieldWhile'> {
  /** Name of another consumer of this process that has priority over this one (replay yields to live). */
  yieldTo?: string;
}

interface TransportDependencies {
  kafka: Kafka;
  producer: BatchingProducer;
  metrics: Metrics;
  logger: Logger;
  health: HealthRegistry;
  registry: ConsumerRegistry;
  lifecycle: KafkaLifecycle;
}

/**
 * A @nestjs/microservices transport over the ConsumerRunner: each consumer subscribes to its topics and
 * hands every message to the `@EventPattern(<topic>)` handler, awaiting it before committing.
 * Consumer group ids are used exactly as given (no `-server` suffix).
 */
export class KafkaRunnerTransport extends Server implements CustomTransportStrategy {
  private readonly runners: ConsumerRunner[] = [];
  /** Nest's look-up JSON-parses the pattern first and throws for every plain topic name: once per topic. */
  private readonly handlersByTopic = new Map<string, ReturnType<Server['getHandlerByPattern']>>();

  constructor(
    private readonly consumers: KafkaConsumerDefinition[],
    private readonly deps: TransportDependencies,
  ) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.deps.lifecycle.ensureInitialized();
      for (const definition of this.consumers) {
        const { yieldTo, ...options } = definition;
        const leader = yieldTo ? this.runners.find((runner) => runner.name === yieldTo) : undefined;
        if (yieldTo && !leader)
          throw new Error(`consumer "${definition.name}" yields to unknown consumer "${yieldTo}"`);
        const runner = new ConsumerRunner(
          this.deps.kafka,
          this.deps.producer,
          this.deps.metrics,
          this.deps.logger,
          {
            ...options,
            yieldWhile: leader ? () => leader.isBusy() : undefined,
          },
        );
        this.runners.push(runner);
        this.deps.registry.add(runner);
        this.deps.health.register({
          name: `consumer:${runner.name}`,
          check: () => {
            const health = runner.health();
            if (health.crashed)
              return { ok: false, detail: `consumer crashed: ${health.cause ?? 'unknown cause'}` };
            return health.joined ? { ok: true } : { ok: false, detail: 'consumer has not joined its group' };
          },
        });
      }
      for (const runner of this.runners) await runner.start((message) => this.dispatch(message));
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.runners.map((runner) => runner.stop()));
  }

  on(): void {
    throw new Error('KafkaRunnerTransport does not emit events');
  }

  unwrap<T>(): T {
    return this.runners as T;
  }

  private async dispatch(message: ConsumedMessage): Promise<HandlerOutcome | void> {
    let handler = this.handlersByTopic.get(message.topic);
    if (!handler) {
      handler = this.getHandlerByPattern(message.topic);
      if (handler) this.handlersByTopic.set(message.topic, handler);
    }
    if (!handler)
      throw new NonRetriableError(`no handler for topic ${message.topic}`, { reason: 'no_handler' });
    const result = (await handler(message)) as unknown;
    if (result && typeof (result as Observable<unknown>).subscribe === 'function') {
      return this.settle(result as Observable<HandlerOutcome | void>);
    }
    return result as HandlerOutcome | void;
  }

  private async settle(result: Observable<HandlerOutcome | void>): Promise<HandlerOutcome | void> {
    try {
      return (await lastValueFrom(result, { defaultValue: undefined })) ?? undefined;
    } catch (error) {
      if (error instanceof Error) throw error;
      // Nest's default RPC filter replaced the error by a plain object: its class (retry or not) is lost
      throw new NonRetriableError(
        `handler failed (use @ConsumeTopic so errors keep their class): ${JSON.stringify(error)}`,
        {
          reason: 'handler_error',
        },
      );
    }
  }
}

/** Hands handler errors to the transport unchanged, so their class decides retry or dead-letter. */
@Catch()
export class PassThroughRpcFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * Marks a controller method as the handler of a topic. Errors keep their class on the way to the
 * runner (Nest's default RPC filter would replace them by a plain object).
 */
export const ConsumeTopic = (topic: string): MethodDecorator =>
  applyDecorators(EventPattern(topic), UseFilters(new PassThroughRpcFilter()));

/** Connects the consumers of a hybrid app; call before `app.startAllMicroservices()`. */
export function connectKafkaConsumers(app: INestApplication, consumers: KafkaConsumerDefinition[]): void {
  const strategy = new KafkaRunnerTransport(consumers, {
    kafka: app.get<Kafka>(KAFKA),
    producer: app.get(BatchingProducer),
    metrics: app.get<Metrics>(METRICS),
    logger: app.get<Logger>(LOGGER),
    health: app.get(HealthRegistry),
    registry: app.get(ConsumerRegistry),
    lifecycle: app.get(KafkaLifecycle),
  });
  app.connectMicroservice({ strategy });
}
