/**
 * The metrics a service exposes, taken from the code (libs/observability createServiceMetrics) rather
 * than a hand-written list: the board and the alerts are checked against exactly these names.
 */
import { ApiOutcomes, LoaderOutcomes, MessageOutcomes, TransformerOutcomes, allTopics } from '@app/contracts';
import { createServiceMetrics } from '@app/observability';

export interface MetricFamily {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary';
  labels: string[];
}

export interface MetricCatalog {
  families: Map<string, MetricFamily>;
  /** every series name a scrape can contain: histograms as _bucket/_sum/_count */
  seriesNames: Set<string>;
  histogramFamilies: Set<string>;
  /** the allowed values of a label of a metric family, where the set is fixed */
  labelValues(family: string, label: string): readonly string[] | undefined;
}

/** Series Prometheus adds itself, or that come from elsewhere but the rules may use. */
export const PROMETHEUS_SERIES = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

export function metricCatalog(): MetricCatalog {
  const metrics = createServiceMetrics('catalog', '0.0.0', 'catalog');
  const families = new Map<string, MetricFamily>();
  const collect = (metric: unknown) => {
    const m = metric as { name?: unknown; labelNames?: unknown; constructor: { name: string } };
    if (typeof m.name !== 'string') return;
    const type = m.constructor.name.toLowerCase() as MetricFamily['type'];
    families.set(m.name, {
      name: m.name,
      type,
      labels: Array.isArray(m.labelNames) ? (m.labelNames as string[]) : [],
    });
  };
  for (const metric of metrics.registry.getMetricsAsArray()) collect(metric);
  const seriesNames = new Set<string>();
  const histogramFamilies = new Set<string>();
  for (const family of families.values()) {
    if (family.type === 'histogram' || family.type === 'summary') {
      histogramFamilies.add(family.name);
      for (const suffix of family.type === 'histogram'
        ? ['_bucket', '_sum', '_count']
        : ['', '_sum', '_count']) {
        seriesNames.add(family.name + suffix);
      }
    } else seriesNames.add(family.name);
  }
  const topics = allTopics();
  const apiFamilies = [
    'erpsync_wdt_api_requests_total',
    'erpsync_wdt_api_request_duration_seconds',
    'erpsync_xingchen_api_requests_total',
    'erpsync_xingchen_api_request_duration_seconds',
  ];
  const labelValues = (family: string, label: string): readonly string[] | undefined => {
    if (label === 'topic' && family.startsWith('erpsync_')) return topics;
    if (label === 'service' && family === 'erpsync_build_info')
      return ['extractor', 'transformer', 'loader', 'wdt-sandbox', 'xingchen-sandbox'];
    if (label === 'family' && family === 'erpsync_xingchen_api_info') return ['v1', 'v2'];
    if (label !== 'outcome') return undefined;
    if (family === 'erpsync_messages_processed_total') return MessageOutcomes;
    if (family === 'erpsync_transformer_orders_total') return TransformerOutcomes;
    if (family === 'erpsync_loader_orders_total') return LoaderOutcomes;
    if (apiFamilies.includes(family)) return ApiOutcomes;
    return undefined;
  };
  return { families, seriesNames, histogramFamilies, labelValues };
}
