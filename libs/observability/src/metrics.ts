import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const syncLatencyBuckets = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/** The label sets (their values come from the fixed sets of @app/contracts). */
const byTopic = ['topic'] as const;
const byTopicOutcome = ['topic', 'outcome'] as const;
const byTopicReason = ['topic', 'reason'] as const;
const byTopicPartition = ['topic', 'partition'] as const;
const byMethodOutcome = ['method', 'outcome'] as const;
const byOperationOutcome = ['operation', 'outcome'] as const;
const byOutcome = ['outcome'] as const;
const byMode = ['mode'] as const;
const byFamily = ['family'] as const;
const byBuild = ['service', 'version', 'commit'] as const;

/** Metric constructors bound to one registry: name, help, label names (and buckets) as declared. */
function metricKit(registry: Registry) {
  const registers = [registry];
  return {
    counter: <T extends string = string>(name: string, help: string, labelNames: readonly T[] = []) =>
      new Counter<T>({ name, help, labelNames, registers }),
    gauge: <T extends string = string>(name: string, help: string, labelNames: readonly T[] = []) =>
      new Gauge<T>({ name, help, labelNames, registers }),
    histogram: <T extends string = string>(
      name: string,
      help: string,
      labelNames: readonly T[],
      buckets: number[],
    ) => new Histogram<T>({ name, help, labelNames, buckets, registers }),
  };
}
type MetricKit = ReturnType<typeof metricKit>;

/** What every service reports about itself. */
const serviceMetrics = ({ gauge }: MetricKit) => ({
  buildInfo: gauge('erpsync_build_info', 'Build of the running service (always 1)', byBuild),
  xingchenApiInfo: gauge(
    'erpsync_xingchen_api_info',
    'The Xingchen API family the loader speaks (always 1)',
    byFamily,
  ),
});

/** Kafka: produced, consumed, retried and dead-lettered messages, consumer lag. */
const kafkaMetrics = ({ counter, gauge, histogram }: MetricKit) => ({
  kafkaProduced: counter('erpsync_kafka_messages_produced_total', 'Messages acknowledged by Kafka', byTopic),
  messagesProcessed: counter(
    'erpsync_messages_processed_total',
    'Consumed messages by outcome',
    byTopicOutcome,
  ),
  processingDuration: histogram(
    'erpsync_message_processing_duration_seconds',
    'Time to handle one consumed message, retries included',
    byTopic,
    latencyBuckets,
  ),
  retries: counter(
    'erpsync_message_retries_total',
    'Retries of consumed messages after a retriable failure',
    byTopicReason,
  ),
  deadLetters: counter(
    'erpsync_dead_letter_messages_total',
    'Messages sent to a dead-letter topic',
    byTopicReason,
  ),
  consumerRebuilds: counter(
    'erpsync_kafka_consumer_rebuilds_total',
    'Kafka consumers the runner replaced because kafkajs gave up or stayed out of its group',
    ['reason'] as const,
  ),
  consumerLag: gauge(
    'erpsync_kafka_consumer_lag_messages',
    'Messages between the consumed offset and the end of the partition',
    byTopicPartition,
  ),
});

/** The WDT API and the extractor's windows, pages, trades and checkpoint. */
const extractorMetrics = ({ counter, gauge, histogram }: MetricKit) => ({
  wdtRequests: counter('erpsync_wdt_api_requests_total', 'WDT API calls by outcome', byMethodOutcome),
  wdtDuration: histogram(
    'erpsync_wdt_api_request_duration_seconds',
    'WDT API call duration',
    byMethodOutcome,
    latencyBuckets,
  ),
  extractorTradesFetched: counter('erpsync_extractor_trades_fetched_total', 'Trades read from WDT'),
  extractorTradesUnchanged: counter(
    'erpsync_extractor_trades_unchanged_total',
    'Trades re-read (overlap, re-read window) and not sent again: Kafka already acknowledged that exact payload',
  ),
  extractorWindows: counter('erpsync_extractor_windows_total', 'Windows completed by the extractor', byMode),
  extractorPages: counter('erpsync_extractor_pages_total', 'Pages read from WDT'),
  extractorCheckpoint: gauge(
    'erpsync_extractor_checkpoint_timestamp_seconds',
    'WDT modified time up to which every trade has been published',
  ),
  extractorLag: gauge('erpsync_extractor_lag_seconds', 'Now minus the checkpoint'),
});

/** The transformer's mapping outcomes, the Xingchen API, the loader's outcomes and the sync latency. */
const loaderMetrics = ({ counter, gauge, histogram }: MetricKit) => ({
  transformerOrders: counter('erpsync_transformer_orders_total', 'Raw trades by mapping outcome', byOutcome),
  xingchenRequests: counter(
    'erpsync_xingchen_api_requests_total',
    'Xingchen API calls by outcome',
    byOperationOutcome,
  ),
  xingchenDuration: histogram(
    'erpsync_xingchen_api_request_duration_seconds',
    'Xingchen API call duration',
    byOperationOutcome,
    latencyBuckets,
  ),
  quotaTokensClaimed: counter(
    'erpsync_xingchen_quota_tokens_claimed_total',
    "Call starts reserved from the account set's shared budget (docs/quota.md)",
  ),
  quotaWaits: counter(
    'erpsync_xingchen_quota_waits_total',
    "Claims that found the account set's shared budget spent and waited",
  ),
  quotaLowerings: counter(
    'erpsync_xingchen_quota_throttle_lowerings_total',
    'Throttled answers (429 / 5007) by which this process lowered the shared pace',
  ),
  quotaPace: gauge(
    'erpsync_xingchen_quota_pace_ratio',
    "Share of the account set's call rate in force (1 = full pace; lower after throttled answers)",
  ),
  quotaMode: gauge(
    'erpsync_xingchen_quota_mode',
    'Which limiter paces Xingchen calls: shared (PostgreSQL budget) or local (fallback); 1 for the one in force',
    byMode,
  ),
  loaderOrders: counter('erpsync_loader_orders_total', 'Normalized orders by loader outcome', byOutcome),
  syncLatency: histogram(
    'erpsync_order_sync_latency_seconds',
    'WDT modified time to Xingchen saved',
    [],
    syncLatencyBuckets,
  ),
});

/** Every erpsync metric; each service registers them all so the names are the same everywhere. */
export function createMetrics(registry: Registry) {
  const kit = metricKit(registry);
  // spread in this order: the registry lists the metrics in the order they were created
  return {
    registry,
    ...serviceMetrics(kit),
    ...kafkaMetrics(kit),
    ...extractorMetrics(kit),
    ...loaderMetrics(kit),
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
