import { type Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BatchingProducer } from '@app/kafka';
import { LOGGER, METRICS, type Logger, type Metrics } from '@app/observability';
import { CheckpointRepository } from '@app/persistence';
import { WdtClient } from '@app/wdt-client';
import { ExtractorService } from './extractor.service';
import { EXTRACTOR_CHECKPOINTS, WINDOW_EXTRACTOR, type ExtractorConfig } from './extractor.tokens';
import { RecentlyPublished } from './recently-published';
import { WindowExtractor, type WindowExtractorOptions } from './window-extractor';

/** The window extractor's options from the environment; live mode skips what was acknowledged before. */
export const windowExtractorOptions = (
  config: ExtractorConfig,
  recentlyPublished: RecentlyPublished,
): WindowExtractorOptions => ({
  rawTopic: config.RAW_TOPIC,
  pageSize: config.WDT_PAGE_SIZE,
  status: config.WDT_STATUS_FILTER === 'all' ? undefined : Number(config.WDT_STATUS_FILTER),
  windowConcurrency: config.WINDOW_CONCURRENCY,
  pageConcurrency: config.PAGE_CONCURRENCY,
  maxUnackedTrades: config.MAX_UNACKED_TRADES,
  recentlyPublished,
  rereadAttempts: config.WINDOW_REREAD_ATTEMPTS,
});

/** ExtractorService and its collaborators (the WDT client, the producer and the clock come from the module). */
export function extractorProviders(config: ExtractorConfig): Provider[] {
  return [
    { provide: RecentlyPublished, useFactory: () => new RecentlyPublished() },
    {
      provide: EXTRACTOR_CHECKPOINTS,
      inject: [DataSource],
      useFactory: (dataSource: DataSource) => new CheckpointRepository(dataSource, config.CHECKPOINT_NAME),
    },
    {
      provide: WINDOW_EXTRACTOR,
      inject: [WdtClient, BatchingProducer, RecentlyPublished, METRICS, LOGGER],
      useFactory: (
        wdt: WdtClient,
        producer: BatchingProducer,
        recentlyPublished: RecentlyPublished,
        metrics: Metrics,
        logger: Logger,
      ) =>
        new WindowExtractor(
          wdt,
          producer,
          windowExtractorOptions(config, recentlyPublished),
          metrics,
          logger,
        ),
    },
    ExtractorService,
  ];
}
