import { env } from './env-schema';
import { consumerEnv, httpEnv, kafkaEnv, serviceEnv } from './common.config';

/** The transformer's authenticated replay endpoint (POST /admin/replay): disabled without a token. */
export const replayAdminEnv = {
  REPLAY_ADMIN_TOKEN: env.optionalString({ secret: true }),
};

/**
 * apps/transformer: maps raw WDT trades to normalized sales orders. Topic and group names default to
 * the documented ones (Topics / ConsumerGroups in @app/contracts); tests override them.
 */
export const transformerEnv = {
  ...kafkaEnv,
  ...consumerEnv,
  ...serviceEnv,
  ...httpEnv(3002),
  /** The mapping file (YAML, or JSON when the name ends in .json): see docs/mapping-rules.md. */
  MAPPING_FILE: env.string(),
  RAW_TOPIC: env.string({ default: 'erp.wdt.trade.raw.v1' }),
  RAW_REPLAY_TOPIC: env.string({ default: 'erp.wdt.trade.raw.replay.v1' }),
  NORMALIZED_TOPIC: env.string({ default: 'sales.order.normalized.v1' }),
  TRANSFORMER_GROUP_ID: env.string({ default: 'erpsync.transformer' }),
  TRANSFORMER_REPLAY_GROUP_ID: env.string({ default: 'erpsync.transformer.replay' }),
  /** Consume the replay topic too (at lower priority than live traffic). */
  TRANSFORMER_REPLAY_ENABLED: env.bool({ default: true }),
  ...replayAdminEnv,
};
