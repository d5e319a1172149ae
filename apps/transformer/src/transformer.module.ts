import { Module, type DynamicModule } from '@nestjs/common';
import { deadLetterTopic } from '@app/contracts';
import { KafkaModule } from '@app/kafka';
import { type MappingRules } from '@app/mapping';
import { serviceObservability } from '@app/observability';
import { TradeTransformer } from './trade-transformer.service';
import { ReplayAdminController } from './replay-admin.controller';
import {
  MAPPING_RULES,
  REPLAY_ADMIN_TOKEN,
  TRANSFORMER_TOPICS,
  type TransformerConfig,
  type TransformerTopics,
} from './transformer.tokens';

export const transformerTopics = (config: TransformerConfig): TransformerTopics => ({
  raw: config.RAW_TOPIC,
  replay: config.RAW_REPLAY_TOPIC,
  normalized: config.NORMALIZED_TOPIC,
});

/** The transformer: Kafka in, Kafka out, the pure mapper in between. No HTTP client, no database. */
@Module({})
export class TransformerModule {
  static forRoot(config: TransformerConfig, rules: MappingRules): DynamicModule {
    const topics = transformerTopics(config);
    return {
      module: TransformerModule,
      imports: [
        serviceObservability('transformer', config),
        KafkaModule.fromEnv(config, [
          topics.raw,
          topics.replay,
          topics.normalized,
          deadLetterTopic(topics.raw),
          deadLetterTopic(topics.replay),
        ]),
      ],
      controllers: [ReplayAdminController],
      providers: [
        { provide: MAPPING_RULES, useValue: rules },
        { provide: TRANSFORMER_TOPICS, useValue: topics },
        { provide: REPLAY_ADMIN_TOKEN, useValue: config.REPLAY_ADMIN_TOKEN },
        TradeTransformer,
      ],
    };
  }
}
