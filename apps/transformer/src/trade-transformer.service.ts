import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  Headers,
  NORMALIZED_ORDER_SCHEMA_VERSION,
  NonRetriableError,
  RetriableError,
  SOURCE_SYSTEM_WDT,
  TransformerOutcomes,
  type NormalizedOrderMessage,
  type TransformerOutcome,
} from '@app/contracts';
import { BatchingProducer, Outcome, type ConsumedMessage } from '@app/kafka';
import { mapRawMessage, type MappingRules } from '@app/mapping';
import { LOGGER, METRICS, type Logger, type Metrics } from '@app/observability';
import { MAPPING_RULES, TRANSFORMER_TOPICS, type TransformerTopics } from './transformer.tokens';

/**
 * One raw trade → at most one normalized message. `mapped` and `cancelled` are produced to the
 * normalized topic and awaited (acks = all) before the handler resolves, so the runner commits only
 * acknowledged work (a failed produce throws a RetriableError: retried); `filtered` is counted and
 * skipped; `invalid` is dead-lettered with a NonRetriableError whose reason and text the runner
 * writes into the DLQ headers.
 */
@Injectable()
export class TradeTransformer {
  constructor(
    @Inject(MAPPING_RULES) private readonly rules: MappingRules,
    @Inject(TRANSFORMER_TOPICS) private readonly topics: TransformerTopics,
    private readonly producer: BatchingProducer,
    @Inject(METRICS) private readonly metrics: Metrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    // every outcome is exported from the start (0), so rates and alerts have a series to work on
    for (const outcome of TransformerOutcomes) this.metrics.transformerOrders.inc({ outcome }, 0);
  }

  /** The runner's handler of the raw and the replay topic. */
  readonly handle = async (message: ConsumedMessage): Promise<Outcome> => {
    const result = mapRawMessage(message.value, this.rules);
    switch (result.outcome) {
      case 'mapped':
        await this.publish(message, result.order);
        this.count('mapped');
        return Outcome.done;
      case 'cancelled':
        await this.publish(message, result.cancellation);
        this.count('cancelled');
        return Outcome.done;
      case 'filtered':
        this.count('filtered');
        this.logger.debug(
          {
            topic: message.topic,
            partition: message.partition,
            offset: message.offset,
            billNo: result.billNo,
            reason: result.reason,
          },
          'trade filtered',
        );
        return Outcome.skip;
      case 'invalid':
        this.count('invalid');
        return Outcome.deadLetter(
          result.reason,
          new NonRetriableError(result.detail, { reason: result.reason }),
        );
    }
  };

  private async publish(input: ConsumedMessage, output: NormalizedOrderMessage): Promise<void> {
    const headers: Record<string, string> = {
      [Headers.correlationId]: input.headers[Headers.correlationId] || randomUUID(),
      [Headers.schemaVersion]: String(NORMALIZED_ORDER_SCHEMA_VERSION),
      [Headers.sourceSystem]: SOURCE_SYSTEM_WDT,
      [Headers.sourceModified]: output.source.modified,
    };
    const replayId = input.headers[Headers.replayId];
    if (replayId) headers[Headers.replayId] = replayId;
    try {
      await this.producer.send(this.topics.normalized, [
        { key: output.billNo, value: JSON.stringify(output), headers },
      ]);
    } catch (error) {
      throw new RetriableError(`producing to ${this.topics.normalized} failed`, {
        reason: 'produce_failed',
        cause: error,
      });
    }
  }

  private count(outcome: TransformerOutcome): void {
    this.metrics.transformerOrders.inc({ outcome });
  }
}
