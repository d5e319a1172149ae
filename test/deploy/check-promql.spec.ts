import * as fs from 'node:fs';
import * as path from 'node:path';
import { Topics } from '@app/contracts';
import { createServiceMetrics, type Metrics } from '@app/observability';
import { REPO_ROOT } from '../../scripts/validate/common';
import { checkPromql } from '../../scripts/validate/check-promql';
import { KAFKA_EXPORTER_FIXTURE } from '../../scripts/validate/metric-catalog';
import { commandExists, readRepo } from './fixtures';
import { startMetricsServer, startPrometheus, type RunningPrometheus } from './prometheus-harness';

const board = JSON.parse(readRepo('monitoring/grafana/dashboards/erpsync.json')) as unknown;
const rules = path.join(REPO_ROOT, 'monitoring/alerts/erpsync.rules.yml');
const boardFile = 'monitoring/grafana/dashboards/erpsync.json';

/** One service's worth of erpsync metrics, every family observed except the dead-letter counter. */
function servedMetrics(): Metrics {
  const m = createServiceMetrics('loader', '0.1.0', 'test');
  m.kafkaProduced.labels(Topics.rawTrades).inc(3);
  m.messagesProcessed.labels(Topics.normalizedOrders, 'success').inc(2);
  m.processingDuration.labels(Topics.normalizedOrders).observe(0.02);
  m.retries.labels(Topics.normalizedOrders, 'timeout').inc();
  m.consumerLag.labels(Topics.normalizedOrders, '0').set(5);
  m.wdtRequests.labels('wdt.trade.query', 'success').inc();
  m.wdtDuration.labels('wdt.trade.query', 'success').observe(0.1);
  m.extractorWindows.labels('incremental').inc();
  m.extractorCheckpoint.set(1764300000);
  m.extractorLag.set(30);
  m.transformerOrders.labels('mapped').inc();
  m.xingchenRequests.labels('sal_order_save', 'success').inc();
  m.xingchenDuration.labels('sal_order_save', 'success').observe(0.2);
  m.loaderOrders.labels('created').inc();
  m.xingchenApiInfo.labels('v1').set(1);
  m.syncLatency.observe(3);
  return m;
}

/** A missing Prometheus binary fails these tests (never skips them), naming the tool. */
const PROMETHEUS_MISSING =
  'prometheus not found: install Debian\'s "prometheus" package (apt-get install -y prometheus); CI installs it in .ci/run';

describe('check-promql against a real Prometheus', () => {
  let prometheus: RunningPrometheus;
  let server: Awaited<ReturnType<typeof startMetricsServer>>;
  // Strimzi's Kafka Exporter, as its scrape looks (monitoring/exporters/kafka-exporter.prom)
  let exporter: Awaited<ReturnType<typeof startMetricsServer>>;

  beforeAll(async () => {
    if (!commandExists('prometheus', ['--version'])) throw new Error(PROMETHEUS_MISSING);
    const metrics = servedMetrics();
    server = await startMetricsServer(() => metrics.registry.metrics());
    const exposition = fs.readFileSync(path.join(REPO_ROOT, KAFKA_EXPORTER_FIXTURE), 'utf8');
    exporter = await startMetricsServer(() => Promise.resolve(exposition));
    prometheus = await startPrometheus([server.target, exporter.target]);
  });

  afterAll(async () => {
    await prometheus?.stop();
    await server?.close();
    await exporter?.close();
  });

  it('passes the board and the alert rules: every expression evaluates, every metric exists', async () => {
    const result = await checkPromql({
      prometheusUrl: prometheus.url,
      boards: [{ file: boardFile, board }],
      ruleFiles: [rules],
      requireTargetsUp: true,
    });
    expect(result.failures).toEqual([]);
    expect(result.ok).toBe(true);
    // labelled metrics nobody touched yet are declared by the target (# TYPE) but have no series: a
    // dead-letter counter, the consumer-replacement counter, and the quota-mode gauge (set once a
    // Xingchen client paces its first call)
    expect(result.notes).toEqual([
      'erpsync_dead_letter_messages_total: declared by a target but has no series yet (used by 5 expression(s))',
      'erpsync_kafka_consumer_rebuilds_total: declared by a target but has no series yet (used by 1 expression(s))',
      'erpsync_xingchen_quota_mode: declared by a target but has no series yet (used by 1 expression(s))',
    ]);
    expect(result.expressions).toBe(50 + 9); // board targets (the exporter's panel included) + alert rules
  });

  it('fails on a metric name with a typo', async () => {
    const typo = structuredClone(board) as { panels: { title: string; targets?: { expr: string }[] }[] };
    const panel = typo.panels.find((p) => p.title === 'Orders by outcome (loader)');
    panel!.targets![0].expr = 'sum by (outcome) (rate(erpsync_loader_order_total[$__rate_interval]))';
    const result = await checkPromql({
      prometheusUrl: prometheus.url,
      boards: [{ file: boardFile, board: typo }],
      ruleFiles: [],
    });
    expect(result.ok).toBe(false);
    expect(result.failures).toEqual([
      'erpsync_loader_order_total: no such metric in Prometheus — used by monitoring/grafana/dashboards/erpsync.json: board panel "Orders by outcome (loader)" (A)',
    ]);
  });

  it('fails on an expression Prometheus cannot parse', async () => {
    const broken = {
      panels: [
        { title: 'broken', targets: [{ refId: 'A', expr: 'sum(rate(erpsync_loader_orders_total[5m])' }] },
      ],
    };
    const result = await checkPromql({
      prometheusUrl: prometheus.url,
      boards: [{ file: 'broken.json', board: broken }],
      ruleFiles: [],
    });
    expect(result.ok).toBe(false);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toMatch(
      /^broken\.json: board panel "broken" \(A\): Prometheus rejects the expression \(bad_data: /,
    );
  });

  it('with --require-series, a declared metric without series fails too', async () => {
    const result = await checkPromql({
      prometheusUrl: prometheus.url,
      boards: [],
      ruleFiles: [rules],
      requireSeries: true,
    });
    expect(result.failures).toEqual([
      'erpsync_dead_letter_messages_total: no such metric in Prometheus (declared, but no series) — used by monitoring/alerts/erpsync.rules.yml: rule ErpsyncDeadLetters (group erpsync-pipeline)',
    ]);
  });
});
