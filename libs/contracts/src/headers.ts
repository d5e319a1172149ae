/** Kafka header names, lowercase-kebab. */
export const Headers = {
  correlationId: 'correlation-id',
  schemaVersion: 'schema-version',
  sourceSystem: 'source-system',
  sourceModified: 'source-modified',
  replayId: 'replay-id',
  dlqOriginalTopic: 'dlq-original-topic',
  dlqOriginalPartition: 'dlq-original-partition',
  dlqOriginalOffset: 'dlq-original-offset',
  dlqErrorClass: 'dlq-error-class',
  dlqErrorMessage: 'dlq-error-message',
  dlqErrorReason: 'dlq-error-reason',
  dlqFailedAt: 'dlq-failed-at',
  dlqAttempts: 'dlq-attempts',
  /** Which hop dead-lettered the message: extractor, transformer or loader (the extractor sets it). */
  dlqHop: 'dlq-hop',
  /** The problem class behind a generic reason (the extractor's `invalid_trade`: missing_field …). */
  dlqErrorDetail: 'dlq-error-detail',
  /** Where WDT served a trade the extractor could not parse (`page 0 position 3`): a trade without trade_no is still counted. */
  dlqSourcePosition: 'dlq-source-position',
} as const;

export type HeaderName = (typeof Headers)[keyof typeof Headers];

export const SOURCE_SYSTEM_WDT = 'wdt';
