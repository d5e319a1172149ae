import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { deadLetterTopic } from '@app/contracts';
import { KafkaModule, type KafkaConnectionOptions } from '@app/kafka';
import { METRICS, ObservabilityModule, type Metrics } from '@app/observability';
import { PersistenceModule } from '@app/persistence';
import { WdtClient } from '@app/wdt-client';
import { ExtractorService } from './extractor.service';
import {
  EXTRACTOR_CLOCK,
  EXTRACTOR_CONFIG,
  type ExtractorAppOptions,
  type ExtractorConfig,
} from './extractor.tokens';
import { POLL_ENABLED, PollLoop } from './poll-loop.service';

export function kafkaConnection(config: ExtractorConfig): Omit<KafkaConnectionOptions, 'logger'> {
  const mechanism = config.KAFKA_SASL_MECHANISM;
  return {
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID,
    ssl: config.KAFKA_SSL,
    sasl:
      mechanism === 'none'
        ? undefined
        : {
            mechanism,
            username: config.KAFKA_SASL_USERNAME ?? '',
            password: config.KAFKA_SASL_PASSWORD ?? '',
          },
  };
}

export function wdtClientFor(config: ExtractorConfig, metrics: Metrics, clock: () => number): WdtClient {
  return new WdtClient(
    {
      route: config.WDT_ROUTE,
      baseUrl: config.WDT_BASE_URL,
      sid: config.WDT_SID,
      appKey: config.WDT_APP_KEY,
      appSecret: config.WDT_APP_SECRET,
      qimenAppKey: config.WDT_QIMEN_APP_KEY,
      qimenSecret: config.WDT_QIMEN_APP_SECRET,
      targetAppKey: config.WDT_TARGET_APP_KEY,
      timeoutMs: config.WDT_TIMEOUT_SECONDS * 1000,
      rateLimitPerMinute: config.WDT_RATE_LIMIT_PER_MINUTE,
      rateLimitBackoffMs: config.WDT_RATE_LIMIT_BACKOFF_SECONDS * 1000,
      now: clock,
    },
    metrics,
  );
}

/** The extractor: WDT in, the raw topic out, its checkpoint and lease in PostgreSQL. */
@Module({})
export class ExtractorModule {
  static forRoot(config: ExtractorConfig, options: ExtractorAppOptions = {}): DynamicModule {
    const clock = options.clock ?? Date.now;
    return {
      module: ExtractorModule,
      imports: [
        ObservabilityModule.forRoot({
          service: 'extractor',
          version: config.BUILD_VERSION,
          commit: config.BUILD_COMMIT,
          logLevel: config.LOG_LEVEL,
        }),
        PersistenceModule.forRoot({
          url: config.DATABASE_URL,
          poolSize: config.DATABASE_POOL_SIZE,
          runMigrations: config.DATABASE_RUN_MIGRATIONS,
          applicationName: 'erpsync-extractor',
        }),
        KafkaModule.forRoot({
          connection: kafkaConnection(config),
          bootstrap: config.KAFKA_BOOTSTRAP_TOPICS
            ? {
                topics: [config.RAW_TOPIC, deadLetterTopic(config.RAW_TOPIC)],
                partitions: config.KAFKA_TOPIC_PARTITIONS,
                replicationFactor: config.KAFKA_TOPIC_REPLICATION_FACTOR,
              }
            : undefined,
        }),
        ScheduleModule.forRoot(),
      ],
      providers: [
        { provide: EXTRACTOR_CONFIG, useValue: config },
        { provide: EXTRACTOR_CLOCK, useValue: clock },
        { provide: POLL_ENABLED, useValue: options.poll ?? true },
        {
          provide: WdtClient,
          inject: [METRICS],
          useFactory: (metrics: Metrics) => wdtClientFor(config, metrics, clock),
        },
        ExtractorService,
        PollLoop,
      ],
    };
  }
}
