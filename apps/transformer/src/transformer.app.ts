import { type INestApplication } from '@nestjs/common';
import { startKafkaConsumers, type KafkaConsumerDefinition } from '@app/kafka';
import { type MappingRules } from '@app/mapping';
import { createServiceApp } from '@app/observability';
import { TradeTransformer } from './trade-transformer.service';
import { TransformerModule, transformerTopics } from './transformer.module';
import { type TransformerConfig } from './transformer.tokens';

/** The live consumer and, at lower priority (it waits while live has work), the replay consumer. */
export function transformerConsumers(config: TransformerConfig): KafkaConsumerDefinition[] {
  const topics = transformerTopics(config);
  const common = {
    partitionConcurrency: config.CONSUMER_PARTITION_CONCURRENCY,
    keyConcurrency: config.CONSUMER_KEY_CONCURRENCY,
    retry: {
      attempts: config.CONSUMER_RETRY_ATTEMPTS,
      initialMs: config.CONSUMER_RETRY_INITIAL_MS,
      maxMs: config.CONSUMER_RETRY_MAX_MS,
    },
    sessionTimeoutMs: config.CONSUMER_SESSION_TIMEOUT_MS,
  };
  const live: KafkaConsumerDefinition = {
    name: 'live',
    groupId: config.TRANSFORMER_GROUP_ID,
    topics: [topics.raw],
    ...common,
  };
  if (!config.TRANSFORMER_REPLAY_ENABLED) return [live];
  return [
    live,
    {
      name: 'replay',
      groupId: config.TRANSFORMER_REPLAY_GROUP_ID,
      topics: [topics.replay],
      yieldTo: 'live',
      ...common,
    },
  ];
}

/**
 * Builds the transformer and starts its consumers; the caller starts HTTP (`app.listen`).
 * Used by main.ts and, in-process, by the integration tests.
 */
export async function createTransformerApp(
  config: TransformerConfig,
  rules: MappingRules,
): Promise<INestApplication> {
  const { app, logger } = await createServiceApp(TransformerModule.forRoot(config, rules));
  await app.init();
  // live and replay share the handler: a replayed trade is mapped exactly like a live one
  const { handle } = app.get(TradeTransformer);
  await startKafkaConsumers(
    app,
    transformerConsumers(config).map((consumer) => ({ ...consumer, handler: handle })),
  );
  logger.info(
    {
      topics: transformerTopics(config),
      groups: [
        config.TRANSFORMER_GROUP_ID,
        ...(config.TRANSFORMER_REPLAY_ENABLED ? [config.TRANSFORMER_REPLAY_GROUP_ID] : []),
      ],
      mapping: {
        shops: Object.keys(rules.customers.byShop).length,
        defaultCustomer: rules.customers.default ?? null,
        eligibleStatuses: rules.statuses.eligible,
        billDate: rules.billDate.source,
        priceDecimals: rules.price.decimals,
      },
    },
    'transformer consuming',
  );
  return app;
}
