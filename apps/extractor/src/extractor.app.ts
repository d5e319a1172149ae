import { type INestApplication } from '@nestjs/common';
import { createServiceApp } from '@app/observability';
import { ExtractorModule } from './extractor.module';
import { type ExtractorAppOptions, type ExtractorConfig } from './extractor.tokens';

/** Builds and initialises the extractor (poll loop started); the caller starts HTTP (`app.listen`). */
export async function createExtractorApp(
  config: ExtractorConfig,
  options: ExtractorAppOptions = {},
): Promise<INestApplication> {
  const { app, logger } = await createServiceApp(ExtractorModule.forRoot(config, options));
  await app.init();
  logger.info(
    {
      route: config.WDT_ROUTE,
      baseUrl: config.WDT_BASE_URL,
      topic: config.RAW_TOPIC,
      checkpoint: config.CHECKPOINT_NAME,
      pollIntervalSeconds: config.POLL_INTERVAL_SECONDS,
      rateLimitPerMinute: config.WDT_RATE_LIMIT_PER_MINUTE,
      statusFilter: config.WDT_STATUS_FILTER,
    },
    options.poll === false ? 'extractor ready (no polling)' : 'extractor polling',
  );
  return app;
}
