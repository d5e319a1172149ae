import { type INestApplication } from '@nestjs/common';
import { startKafkaConsumers, type KafkaConsumer } from '@app/kafka';
import { createServiceApp } from '@app/observability';
import { LoaderModule } from './loader.module';
import { type LoaderConfig } from './loader.tokens';
import { NormalizedOrderHandler } from './normalized-order.handler';

/** The one consumer: several bills of a partition at once (order kept per bill), failures recorded before the DLQ. */
export function loaderConsumer(config: LoaderConfig, handler: NormalizedOrderHandler): KafkaConsumer {
  return {
    name: 'loader',
    groupId: config.LOADER_GROUP_ID,
    topics: [config.NORMALIZED_TOPIC],
    partitionConcurrency: config.CONSUMER_PARTITION_CONCURRENCY,
    keyConcurrency: config.CONSUMER_KEY_CONCURRENCY,
    maxBytesPerPartition: config.CONSUMER_MAX_BYTES_PER_PARTITION,
    retry: {
      attempts: config.CONSUMER_RETRY_ATTEMPTS,
      initialMs: config.CONSUMER_RETRY_INITIAL_MS,
      maxMs: config.CONSUMER_RETRY_MAX_MS,
    },
    sessionTimeoutMs: config.CONSUMER_SESSION_TIMEOUT_MS,
    handler: handler.handle,
  };
}

/** Builds the loader and starts its consumer; the caller starts HTTP (`app.listen`). Used by main.ts and the tests. */
export async function createLoaderApp(config: LoaderConfig): Promise<INestApplication> {
  const { app, logger } = await createServiceApp(LoaderModule.forRoot(config));
  await app.init();
  await startKafkaConsumers(app, [loaderConsumer(config, app.get(NormalizedOrderHandler))]);
  logger.info(
    {
      topic: config.NORMALIZED_TOPIC,
      group: config.LOADER_GROUP_ID,
      xingchen: config.XINGCHEN_BASE_URL,
      xingchenApi: config.XINGCHEN_API,
      quotaPerMinute: config.XINGCHEN_RATE_LIMIT_PER_MINUTE,
      keyConcurrency: config.CONSUMER_KEY_CONCURRENCY,
    },
    'loader consuming',
  );
  return app;
}
