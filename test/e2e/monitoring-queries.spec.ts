import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkPromql } from '../../scripts/validate/check-promql';
import { type Admin } from 'kafkajs';
import { startMetricsServer, startPrometheus, type RunningPrometheus } from '../deploy/prometheus-harness';
import { brokerLagExposition } from './broker-lag-exposition';
import { repo, startE2eStack, type E2eStack } from './e2e-stack';

const boardFile = 'monitoring/grafana/dashboards/erpsync.json';
const services = ['extractor', 'transformer', 'loader'] as const;

/**
 * After an end-to-end run a real Prometheus scrapes the three services; every PromQL expression of the
 * Grafana board and of the alert rules must parse and name metrics that exist (a typo fails), and each
 * service's /metrics passes `promtool check metrics`. The broker-side lag (Kafka Exporter's families, which
 * Kubernetes scrapes from Strimzi's exporter) is served from this run's real broker as a fourth target.
 */
describe('e2e: the board and the alerts against a real Prometheus scraping the running pipeline', () => {
  let e2e: E2eStack;
  let prometheus: RunningPrometheus;
  let admin: Admin;
  let brokerLag: Awaited<ReturnType<typeof startMetricsServer>>;

  beforeAll(async () => {
    e2e = await startE2eStack({ trades: 200, seed: 31 });
    await e2e.stack.waitUntilIdle(e2e.kafka);
    admin = e2e.kafka.admin();
    await admin.connect();
    const t = e2e.stack.topology;
    brokerLag = await startMetricsServer(() =>
      brokerLagExposition(
        admin,
        [t.transformerGroup, t.transformerReplayGroup, t.loaderGroup],
        [t.raw, t.replay, t.normalized],
      ),
    );
    prometheus = await startPrometheus([
      ...services.map((name) => e2e.stack.url(name).replace('http://', '')),
      brokerLag.target,
    ]);
  });
  afterAll(async () => {
    await prometheus?.stop();
    await brokerLag?.close();
    await admin?.disconnect();
    await e2e?.stop();
  });

  it('serves /metrics that promtool accepts from every service', async () => {
    for (const name of services) {
      const text = await (await fetch(`${e2e.stack.url(name)}/metrics`)).text();
      expect(text).toContain('erpsync_build_info{service="' + name + '"');
      // promtool prints lint findings and exits non-zero on a malformed exposition
      execFileSync('promtool', ['check', 'metrics'], { input: text, stdio: ['pipe', 'pipe', 'pipe'] });
    }
  });

  it('evaluates every board and alert expression with data behind every metric they name', async () => {
    const board = JSON.parse(readFileSync(join(repo, boardFile), 'utf8')) as unknown;
    const result = await checkPromql({
      prometheusUrl: prometheus.url,
      boards: [{ file: boardFile, board }],
      ruleFiles: [join(repo, 'monitoring/alerts/erpsync.rules.yml')],
      requireTargetsUp: true,
    });
    expect(result.failures).toEqual([]);
    expect(result.expressions).toBeGreaterThan(40);
  });

  it('shows no broker-side lag for an idle pipeline, for each of its consumer groups', async () => {
    const answer = (await (
      await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent('kafka_consumergroup_lag')}`)
    ).json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    const lagByGroup = new Map<string, number>();
    for (const { metric, value } of answer.data.result)
      lagByGroup.set(metric.consumergroup, (lagByGroup.get(metric.consumergroup) ?? 0) + Number(value[1]));
    const t = e2e.stack.topology;
    expect(Object.fromEntries(lagByGroup)).toEqual({ [t.transformerGroup]: 0, [t.loaderGroup]: 0 });
  });
});
