/** Kafka topics, `<domain>.<source>.<entity>.<stage>.v<N>`; a DLQ is its topic + `.dlq`. */
export const Topics = {
  rawTrades: 'erp.wdt.trade.raw.v1',
  rawTradesReplay: 'erp.wdt.trade.raw.replay.v1',
  normalizedOrders: 'sales.order.normalized.v1',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

export const deadLetterTopic = (topic: string): string => `${topic}.dlq`;

/** Every topic the pipeline needs, DLQs included: what topic bootstrap creates. */
export const allTopics = (): string[] => {
  const base = [Topics.rawTrades, Topics.rawTradesReplay, Topics.normalizedOrders];
  return [...base, ...base.map(deadLetterTopic)];
};

/** Consumer groups as they appear in Kafka: `erpsync.<app>`; a replay uses its own group. */
export const ConsumerGroups = {
  transformer: 'erpsync.transformer',
  transformerReplay: 'erpsync.transformer.replay',
  loader: 'erpsync.loader',
} as const;
