/**
 * The metrics a service exposes, taken from the code (libs/observability createServiceMetrics) rather
 * than a hand-written list: the board and the alerts are checked against exactly these names.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ApiOutcomes,
  ConsumerGroups,
  LoaderOutcomes,
  MessageOutcomes,
  TransformerOutcomes,
  allTopics,
} from '@app/contracts';
import { createServiceMetrics } from '@app/observability';
import { REPO_ROOT } from './common';

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

/** A scrape of Strimzi's Kafka Exporter: the broker-side consumer lag the board and the alerts use. */
export const KAFKA_EXPORTER_FIXTURE = 'monitoring/exporters/kafka-exporter.prom';

/** The families of a text exposition: `# TYPE` lines, labels from the samples. */
export function parseExposition(text: string): MetricFamily[] {
  const families = new Map<string, MetricFamily>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      families.set(type[1], {
        name: type[1],
        type: type[2] === 'untyped' ? 'gauge' : (type[2] as MetricFamily['type']),
        labels: [],
      });
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s/.exec(line);
    if (!sample || line.startsWith('#')) continue;
    const family = families.get(sample[1]);
    if (!family) throw new Error(`sample ${sample[1]} has no # TYPE line`);
    for (const [, label] of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g))
      if (!family.labels.includes(label)) family.labels.push(label);
  }
  return [...families.values()];
}

export function metricCatalog(root = REPO_ROOT): MetricCatalog {
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
  // a missing fixture fails the catalog (and so validate:deploy), never silently allows kafka_*
  for (const family of parseExposition(fs.readFileSync(path.join(root, KAFKA_EXPORTER_FIXTURE), 'utf8')))
    families.set(family.name, family);
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
    if (label === 'topic' && (family.startsWith('erpsync_') || family.startsWith('kafka_'))) return topics;
    if (label === 'consumergroup') return Object.values(ConsumerGroups);
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
