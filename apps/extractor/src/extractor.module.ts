import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { deadLetterTopic } from '@app/contracts';
import { KafkaModule, kafkaConnectionFromEnv } from '@app/kafka';
import { METRICS, ObservabilityModule, type Metrics } from '@app/observability';
import { PersistenceModule } from '@app/persistence';
import { WdtClient, wdtClientOptionsFromEnv } from '@app/wdt-client';
import { extractorProviders } from './extractor.providers';
import {
  EXTRACTOR_CLOCK,
  EXTRACTOR_CONFIG,
  type ExtractorAppOptions,
  type ExtractorConfig,
} from './extractor.tokens';
import { POLL_ENABLED, PollLoop } from './poll-loop.service';

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
          connection: kafkaConnectionFromEnv(config),
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
          useFactory: (metrics: Metrics) =>
            new WdtClient(wdtClientOptionsFromEnv(config, { now: clock }), metrics),
        },
        ...extractorProviders(config),
        PollLoop,
      ],
    };
  }
}
