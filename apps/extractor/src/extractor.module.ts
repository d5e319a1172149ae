import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { deadLetterTopic } from '@app/contracts';
import { KafkaModule } from '@app/kafka';
import { METRICS, serviceObservability, type Metrics } from '@app/observability';
import { PersistenceModule, persistenceOptionsFromEnv } from '@app/persistence';
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
        serviceObservability('extractor', config),
        PersistenceModule.forRoot(persistenceOptionsFromEnv(config, 'erpsync-extractor')),
        KafkaModule.fromEnv(config, [config.RAW_TOPIC, deadLetterTopic(config.RAW_TOPIC)]),
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
