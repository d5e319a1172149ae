import { Controller, type Type } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ConsumeTopic, type ConsumedMessage, type HandlerOutcome } from '@app/kafka';
import { TradeTransformer } from './trade-transformer.service';
import { type TransformerTopics } from './transformer.tokens';

/**
 * The Kafka handlers. Topic names come from configuration (tests use random ones), and the
 * transport dispatches by topic name, so the controller is built for the configured topics.
 */
export function createTradeConsumer(topics: Pick<TransformerTopics, 'raw' | 'replay'>): Type<unknown> {
  @Controller()
  class TradeConsumer {
    constructor(private readonly transformer: TradeTransformer) {}

    @ConsumeTopic(topics.raw)
    live(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> {
      return this.transformer.handle(message);
    }

    @ConsumeTopic(topics.replay)
    replay(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> {
      return this.transformer.handle(message);
    }
  }
  return TradeConsumer;
}
