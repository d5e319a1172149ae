import { Controller, type Type } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ConsumeTopic, type ConsumedMessage, type HandlerOutcome } from '@app/kafka';
import { NormalizedOrderHandler } from './normalized-order.handler';

/** The Kafka handler of the normalized topic (its name comes from configuration). */
export function createNormalizedOrderConsumer(topic: string): Type<unknown> {
  @Controller()
  class NormalizedOrderConsumer {
    constructor(private readonly handler: NormalizedOrderHandler) {}

    @ConsumeTopic(topic)
    handle(@Payload() message: ConsumedMessage): Promise<HandlerOutcome> {
      return this.handler.handle(message);
    }
  }
  return NormalizedOrderConsumer;
}
