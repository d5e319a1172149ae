import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const syncLatencyBuckets = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/** Every erpsync metric; each service registers them all so the names are the same everywhere. */
export function createMetrics(registry: Registry) {
  const registers = [registry];
  return {
    registry,
    buildInfo: new Gauge({
      name: 'erpsync_build_info',
      help: 'Build of the running service (always 1)',
      labelNames: ['service', 'version', 'commit'] as const,
      registers,
    }),
    xingchenApiInfo: new Gauge({
      name: 'erpsync_xingchen_api_info',
      help: 'The Xingchen API family the loader speaks (always 1)',
      labelNames: ['family'] as const,
      registers,
    }),
    kafkaProduced: new Counter({
      name: 'erpsync_kafka_messages_produced_total',
      help: 'Messages acknowledged by Kafka',
      labelNames: ['topic'] as const,
      registers,
    }),
    messagesProcessed: new Counter({
      name: 'erpsync_messages_processed_total',
      help: 'Consumed messages by outcome',
      labelNames: ['topic', 'outcome'] as const,
      registers,
    }),
    processingDuration: new Histogram({
      name: 'erpsync_message_processing_duration_seconds',
      help: 'Time to handle one consumed message, retries included',
      labelNames: ['topic'] as const,
      buckets: latencyBuckets,
      registers,
    }),
    retries: new Counter({
      name: 'erpsync_message_retries_total',
      help: 'Retries of consumed messages after a retriable failure',
      labelNames: ['topic', 'reason'] as const,
      registers,
    }),
    deadLetters: new Counter({
      name: 'erpsync_dead_letter_messages_total',
      help: 'Messages sent to a dead-letter topic',
      labelNames: ['topic', 'reason'] as const,
      registers,
    }),
    consumerLag: new Gauge({
      name: 'erpsync_kafka_consumer_lag_messages',
      help: 'Messages between the consumed offset and the end of the partition',
      labelNames: ['topic', 'partition'] as const,
      registers,
    }),
    wdtRequests: new Counter({
      name: 'erpsync_wdt_api_requests_total',
      help: 'WDT API calls by outcome',
      labelNames: ['method', 'outcome'] as const,
      registers,
    }),
    wdtDuration: new Histogram({
      name: 'erpsync_wdt_api_request_duration_seconds',
      help: 'WDT API call duration',
      labelNames: ['method', 'outcome'] as const,
      buckets: latencyBuckets,
      registers,
    }),
    extractorTradesFetched: new Counter({
      name: 'erpsync_extractor_trades_fetched_total',
      help: 'Trades read from WDT',
      registers,
    }),
    extractorTradesUnchanged: new Counter({
      name: 'erpsync_extractor_trades_unchanged_total',
      help: 'Trades re-read (overlap, re-read window) and not sent again: Kafka already acknowledged that exact payload',
      registers,
    }),
    extractorWindows: new Counter({
      name: 'erpsync_extractor_windows_total',
      help: 'Windows completed by the extractor',
      labelNames: ['mode'] as const,
      registers,
    }),
    extractorPages: new Counter({
      name: 'erpsync_extractor_pages_total',
      help: 'Pages read from WDT',
      registers,
    }),
    extractorCheckpoint: new Gauge({
      name: 'erpsync_extractor_checkpoint_timestamp_seconds',
      help: 'WDT modified time up to which every trade has been published',
      registers,
    }),
    extractorLag: new Gauge({
      name: 'erpsync_extractor_lag_seconds',
      help: 'Now minus the checkpoint',
      registers,
    }),
    transformerOrders: new Counter({
      name: 'erpsync_transformer_orders_total',
      help: 'Raw trades by mapping outcome',
      labelNames: ['outcome'] as const,
      registers,
    }),
    xingchenRequests: new Counter({
      name: 'erpsync_xingchen_api_requests_total',
      help: 'Xingchen API calls by outcome',
      labelNames: ['operation', 'outcome'] as const,
      registers,
    }),
    xingchenDuration: new Histogram({
      name: 'erpsync_xingchen_api_request_duration_seconds',
      help: 'Xingchen API call duration',
      labelNames: ['operation', 'outcome'] as const,
      buckets: latencyBuckets,
      registers,
    }),
    loaderOrders: new Counter({
      name: 'erpsync_loader_orders_total',
      help: 'Normalized orders by loader outcome',
      labelNames: ['outcome'] as const,
      registers,
    }),
    syncLatency: new Histogram({
      name: 'erpsync_order_sync_latency_seconds',
      help: 'WDT modified time to Xingchen saved',
      buckets: syncLatencyBuckets,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

export function createServiceMetrics(service: string, version: string, commit: string): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // prom-client names these gauges with a counter's `_total` suffix, which `promtool check metrics` rejects
  for (const misnamed of [
    'nodejs_active_handles_total',
    'nodejs_active_requests_total',
    'nodejs_active_resources_total',
  ]) {
    registry.removeSingleMetric(misnamed);
  }
  const metrics = createMetrics(registry);
  metrics.buildInfo.labels(service, version, commit).set(1);
  return metrics;
}
