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
} as const;

export type HeaderName = (typeof Headers)[keyof typeof Headers];

export const SOURCE_SYSTEM_WDT = 'wdt';
