import { type Problem } from '../../scripts/validate/common';
import { metricCatalog } from '../../scripts/validate/metric-catalog';
import {
  checkBoard,
  checkRules,
  checkSync,
  checkWithPromtool,
  loadMonitoring,
  PROMTOOL_MISSING,
  promtoolAvailable,
  RUNBOOK_BASE_URL,
} from '../../scripts/validate/monitoring';
import { promqlReferences } from '../../scripts/validate/promql';

const catalog = metricCatalog();
const monitoring = loadMonitoring();
const messages = (problems: Problem[]) => problems.map((p) => `${p.where}: ${p.message}`);

/** An in-memory copy of the board with one expression rewritten. */
function boardWith(replace: (expr: string) => string): unknown {
  const board = structuredClone(monitoring.board) as { panels: { targets?: { expr: string }[] }[] };
  for (const panel of board.panels)
    for (const target of panel.targets ?? []) target.expr = replace(target.expr);
  return board;
}

describe('the Grafana board', () => {
  it('uses only metrics, labels and label values the code defines, and shows every erpsync metric', () => {
    expect(messages(checkBoard(monitoring.board, catalog))).toEqual([]);
  });

  it('catches a renamed metric', () => {
    const board = boardWith((expr) =>
      expr.replace('erpsync_loader_orders_total', 'erpsync_loader_order_total'),
    );
    expect(messages(checkBoard(board, catalog))).toEqual([
      'monitoring/grafana/dashboards/erpsync.json: board panel "Orders synced (loader, 24h)" (A): unknown metric erpsync_loader_order_total (not defined in libs/observability/src/metrics.ts)',
      'monitoring/grafana/dashboards/erpsync.json: board panel "Orders by outcome (loader)" (A): unknown metric erpsync_loader_order_total (not defined in libs/observability/src/metrics.ts)',
      'monitoring/grafana/dashboards/erpsync.json: no panel shows erpsync_loader_orders_total',
    ]);
  });

  it('catches a topic name and an outcome the code never uses', () => {
    const board = boardWith((expr) =>
      expr
        .replace('topic="sales.order.normalized.v1"', 'topic="sales.orders.normalized.v1"')
        .replace('outcome=~"created|updated"', 'outcome=~"created|saved"'),
    );
    const found = messages(checkBoard(board, catalog));
    expect(found).toContain(
      'monitoring/grafana/dashboards/erpsync.json: board panel "Orders synced (loader, 24h)" (A): erpsync_loader_orders_total{outcome} never takes the value "saved" (one of: created, updated, unchanged, stale, cancelled, audited, rejected, failed)',
    );
    expect(
      found.filter((m) => m.includes('never takes the value "sales.orders.normalized.v1"')),
    ).toHaveLength(6);
  });

  it('catches a label the metric does not have', () => {
    const board = boardWith((expr) =>
      expr.replace(
        'erpsync_loader_orders_total{namespace=~"$namespace"}[',
        'erpsync_loader_orders_total{namespace=~"$namespace", topic="erp.wdt.trade.raw.v1"}[',
      ),
    );
    expect(messages(checkBoard(board, catalog))).toContain(
      'monitoring/grafana/dashboards/erpsync.json: board panel "Orders by outcome (loader)" (A): erpsync_loader_orders_total has no label "topic" (labels: outcome)',
    );
  });
});

describe('the board is scoped by namespace', () => {
  it('catches a query that ignores the namespace variable', () => {
    const board = boardWith((expr) =>
      expr.replace('erpsync_loader_orders_total{namespace=~"$namespace"}[', 'erpsync_loader_orders_total['),
    );
    expect(messages(checkBoard(board, catalog))).toContain(
      'monitoring/grafana/dashboards/erpsync.json: board panel "Orders by outcome (loader)" (A): erpsync_loader_orders_total is not scoped by namespace=~"$namespace"',
    );
  });
});

describe('the alert rules', () => {
  it('name known metrics, each has a runbook section and a promtool test that fires it', () => {
    expect(messages(checkRules(monitoring.ruleFiles, monitoring.tests, monitoring.runbook, catalog))).toEqual(
      [],
    );
  });

  it('catch an alert on a misspelled metric, without a runbook section, without a test', () => {
    const ruleFiles = structuredClone(monitoring.ruleFiles);
    ruleFiles[0].groups[0].rules.push({
      alert: 'ErpsyncNew',
      expr: 'sum by (namespace) (rate(erpsync_dead_letters_total[5m])) > 0',
      labels: { severity: 'warning' },
      annotations: { summary: 's', description: 'd', runbook_url: `${RUNBOOK_BASE_URL}#erpsyncnew` },
    });
    expect(messages(checkRules(ruleFiles, monitoring.tests, monitoring.runbook, catalog))).toEqual([
      'monitoring/alerts/erpsync.rules.yml: rule ErpsyncNew (group erpsync-pipeline): unknown metric erpsync_dead_letters_total (not defined in libs/observability/src/metrics.ts)',
      'monitoring/alerts/erpsync.rules.yml ErpsyncNew: docs/runbook.md has no section #erpsyncnew',
      'monitoring/alerts/erpsync.rules.yml ErpsyncNew: no promtool unit test expects this alert to fire',
    ]);
  });

  it('catch a relative runbook link and aggregations that drop the namespace', () => {
    const ruleFiles = structuredClone(monitoring.ruleFiles);
    const rule = ruleFiles[0].groups[0].rules.find((r) => r.alert === 'ErpsyncDeadLetters');
    rule!.expr = 'sum by (topic, reason) (rate(erpsync_dead_letter_messages_total[5m])) > 0';
    rule!.annotations!.runbook_url = 'docs/runbook.md#erpsyncdeadletters';
    const ratio = ruleFiles[0].groups[0].rules.find((r) => r.alert === 'ErpsyncXingchenErrors');
    ratio!.expr =
      'sum(rate(erpsync_xingchen_api_requests_total[5m])) / sum without (instance) (rate(erpsync_xingchen_api_requests_total[5m])) > 0.05';
    const absent = ruleFiles[0].groups
      .flatMap((g) => g.rules)
      .find((r) => r.alert === 'ErpsyncServiceAbsent');
    absent!.expr = 'absent(erpsync_build_info{service="loader"})';
    expect(messages(checkRules(ruleFiles, monitoring.tests, monitoring.runbook, catalog))).toEqual([
      'monitoring/alerts/erpsync.rules.yml ErpsyncDeadLetters: runbook_url must be https://github.com/erpsync/erpsync/blob/main/docs/runbook.md#<anchor>',
      'monitoring/alerts/erpsync.rules.yml ErpsyncDeadLetters: "sum by (topic, reason) (" must aggregate by (namespace, …)',
      'monitoring/alerts/erpsync.rules.yml ErpsyncXingchenErrors: "sum(" must aggregate by (namespace, …)',
      'monitoring/alerts/erpsync.rules.yml ErpsyncXingchenErrors: "sum without (instance) (" must aggregate by (namespace, …)',
      'monitoring/alerts/erpsync.rules.yml ErpsyncServiceAbsent: absent() has no namespace: guard it with `unless on (service)` a per-namespace arm',
    ]);
  });

  it('know the Kafka Exporter metrics from its exposition fixture, labels included', () => {
    expect(catalog.families.get('kafka_consumergroup_lag')).toEqual({
      name: 'kafka_consumergroup_lag',
      type: 'gauge',
      labels: ['consumergroup', 'partition', 'topic'],
    });
    const ruleFiles = structuredClone(monitoring.ruleFiles);
    const broker = ruleFiles[1].groups[0].rules.find((r) => r.alert === 'ErpsyncBrokerLagGrowing');
    broker!.expr = broker!.expr
      .replace('kafka_consumergroup_lag{', 'kafka_consumergroup_lags{')
      .replaceAll('consumergroup=~"erpsync\\\\..+"', 'group="erpsync.loader"');
    expect(messages(checkRules(ruleFiles, monitoring.tests, monitoring.runbook, catalog))).toEqual([
      'monitoring/alerts/erpsync-kubernetes.rules.yml: rule ErpsyncBrokerLagGrowing (group erpsync-kubernetes): unknown metric kafka_consumergroup_lags (not defined in libs/observability/src/metrics.ts)',
      'monitoring/alerts/erpsync-kubernetes.rules.yml: rule ErpsyncBrokerLagGrowing (group erpsync-kubernetes): kafka_consumergroup_lag has no label "group" (labels: consumergroup, partition, topic)',
    ]);
  });

  it('the Kubernetes copies (PrometheusRule, dashboard) are in sync with monitoring/', () => {
    expect(messages(checkSync())).toEqual([]);
  });
});

describe('promtool', () => {
  it('is installed (the checks fail, naming it, when it is not)', () => {
    expect(promtoolAvailable() ? [] : [PROMTOOL_MISSING]).toEqual([]);
  });

  it('checks the rules, runs their unit tests, checks prometheus.yml and parses every board expression', () => {
    expect(messages(checkWithPromtool(monitoring.board))).toEqual([]);
  });

  it('catches a board expression that does not parse', () => {
    const board = boardWith((expr) =>
      expr.replace(
        'sum by (outcome) (rate(erpsync_loader_orders_total{namespace=~"$namespace"}[$__rate_interval]))',
        'sum by (outcome) (rate(erpsync_loader_orders_total{namespace=~"$namespace"}[$__rate_interval])',
      ),
    );
    const problems = checkWithPromtool(board);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.where).toBe('board expressions monitoring/grafana/dashboards/erpsync.json');
    expect(problems[0]?.message).toContain('board panel "Orders by outcome (loader)" (A)');
  });
});

describe('promqlReferences', () => {
  it('finds metric names and matchers, not functions, aggregations, label lists or durations', () => {
    const refs = promqlReferences(
      'histogram_quantile(0.99, sum by (le, topic) (rate(erpsync_message_processing_duration_seconds_bucket{topic=~"a|b"}[5m] offset 1h))) / on (topic) group_left sum without (instance) (up{job="x"}) and time() - max(erpsync_extractor_checkpoint_timestamp_seconds > 0) > 15 * 60',
    );
    expect(refs.metrics).toEqual([
      'erpsync_extractor_checkpoint_timestamp_seconds',
      'erpsync_message_processing_duration_seconds_bucket',
      'up',
    ]);
    expect(refs.matchers).toEqual([
      {
        metric: 'erpsync_message_processing_duration_seconds_bucket',
        label: 'topic',
        op: '=~',
        value: 'a|b',
      },
      { metric: 'up', label: 'job', op: '=', value: 'x' },
    ]);
  });
});
