import {
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { type Kafka } from 'kafkajs';
import { type Logger } from 'pino';
import { type EnvConfig, type kafkaEnv } from '@app/config';
import { HealthRegistry, LOGGER, METRICS, type Metrics } from '@app/observability';
import { type ConsumerRunner } from './consumer-runner';
import { createKafka, kafkaConnectionFromEnv, type KafkaConnectionOptions } from './kafka.factory';
import { KafkaClusterProbe } from './kafka-health';
import { BatchingProducer, type BatchingProducerOptions } from './producer';
import { ensureTopics, type TopicBootstrapOptions } from './topic-bootstrap';

export const KAFKA = Symbol('KAFKA');
const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');

export interface KafkaModuleOptions {
  connection: Omit<KafkaConnectionOptions, 'logger'>;
  producer?: BatchingProducerOptions;
  /** Topics to create when missing; none when absent. */
  bootstrap?: TopicBootstrapOptions & { topics: string[] };
}

/** The running consumer runners of this process: stopped first at shutdown, before the producer. */
@Injectable()
export class ConsumerRegistry {
  private readonly runners: ConsumerRunner[] = [];

  add(runner: ConsumerRunner): void {
    this.runners.push(runner);
  }

  get(name: string): ConsumerRunner | undefined {
    return this.runners.find((runner) => runner.name === name);
  }

  async stopAll(): Promise<void> {
    await Promise.allSettled(this.runners.map((runner) => runner.stop()));
  }
}

@Injectable()
export class KafkaLifecycle implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly probe: KafkaClusterProbe;
  private initialized: Promise<void> | undefined;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaModuleOptions,
    private readonly producer: BatchingProducer,
    private readonly consumers: ConsumerRegistry,
    private readonly health: HealthRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.probe = new KafkaClusterProbe(kafka);
  }

  onModuleInit(): Promise<void> {
    return this.ensureInitialized();
  }

  /** Topics exist and the producer is connected. Idempotent: `startKafkaConsumers` waits for it too. */
  ensureInitialized(): Promise<void> {
    this.initialized ??= this.initialize();
    return this.initialized;
  }

  private async initialize(): Promise<void> {
    this.probe.start();
    this.health.register({
      name: 'kafka',
      check: () => {
        const cluster = this.probe.check();
        if (!cluster.ok) return cluster;
        return this.producer.isConnected() ? { ok: true } : { ok: false, detail: 'producer not connected' };
      },
    });
    if (this.options.bootstrap) {
      const { topics, ...topicOptions } = this.options.bootstrap;
      const created = await ensureTopics(this.kafka, topics, topicOptions);
      if (created.length > 0) this.logger.info({ topics: created }, 'kafka topics created');
    }
    await this.producer.connect();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumers.stopAll();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer
      .disconnect()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'producer disconnect failed'));
    await this.probe.stop();
  }
}

/** The providers of KafkaModule: the client, the batching producer, the consumer registry, the lifecycle. */
const kafkaProviders = (options: KafkaModuleOptions): Provider[] => [
  { provide: KAFKA_OPTIONS, useValue: options },
  {
    provide: KAFKA,
    inject: [LOGGER],
    useFactory: (logger: Logger) =>
      createKafka({ ...options.connection, logger: logger.child({ component: 'kafkajs' }) }),
  },
  {
    provide: BatchingProducer,
    inject: [KAFKA, METRICS, LOGGER],
    useFactory: (kafka: Kafka, metrics: Metrics, logger: Logger) =>
      new BatchingProducer(kafka, metrics, logger, options.producer),
  },
  ConsumerRegistry,
  KafkaLifecycle,
];

/** Kafka for one service: the client, a connected batching producer, topic bootstrap, readiness. */
@Module({})
export class KafkaModule {
  static forRoot(options: KafkaModuleOptions): DynamicModule {
    const exported = [KAFKA, BatchingProducer, ConsumerRegistry, KafkaLifecycle];
    return { module: KafkaModule, global: true, providers: kafkaProviders(options), exports: exported };
  }

  /**
   * From a service's validated `KAFKA_*` variables; `topics` are created when missing unless
   * KAFKA_BOOTSTRAP_TOPICS is false.
   */
  static fromEnv(config: EnvConfig<typeof kafkaEnv>, topics: string[]): DynamicModule {
    return KafkaModule.forRoot({
      connection: kafkaConnectionFromEnv(config),
      bootstrap: config.KAFKA_BOOTSTRAP_TOPICS
        ? {
            topics,
            partitions: config.KAFKA_TOPIC_PARTITIONS,
            replicationFactor: config.KAFKA_TOPIC_REPLICATION_FACTOR,
          }
        : undefined,
    });
  }
}
