/**
 * Static checks of the Grafana board and the alert rules: every metric they name exists in
 * libs/observability (histograms as _bucket/_sum/_count), label matchers use labels the metric has
 * and values from the fixed sets in libs/contracts, every alert has a runbook entry and a promtool
 * unit test, every board expression parses (promtool, as recording rules), and the Kubernetes
 * copies (PrometheusRule, dashboard ConfigMap source) are in sync with monitoring/.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO_ROOT, isObject, problem, type Problem } from './common';
import { PROMETHEUS_SERIES, type MetricCatalog } from './metric-catalog';
import {
  dashboardExpressions,
  dashboardVariables,
  loadRuleGroups,
  metricFamily,
  promqlReferences,
  ruleExpressions,
  substituteVariables,
  type PromqlExpression,
  type RuleGroup,
} from './promql';

export const MONITORING = {
  board: 'monitoring/grafana/dashboards/erpsync.json',
  rules: 'monitoring/alerts/erpsync.rules.yml',
  kubernetesRules: 'monitoring/alerts/erpsync-kubernetes.rules.yml',
  ruleTests: [
    'monitoring/alerts/erpsync.rules.test.yml',
    'monitoring/alerts/erpsync-kubernetes.rules.test.yml',
  ],
  prometheusConfig: 'monitoring/prometheus.yml',
  runbook: 'docs/runbook.md',
  k8sBoard: 'k8s/monitoring/erpsync.json',
  k8sPrometheusRule: 'k8s/monitoring/prometheus-rule.yaml',
} as const;

/**
 * Where alert runbook links point: docs/runbook.md on the repository's canonical Git host. A fork or a
 * mirror changes this one constant and the rules' runbook_url lines (docs/deploy.md, "Alerts").
 */
export const RUNBOOK_BASE_URL = 'https://github.com/erpsync/erpsync/blob/main/docs/runbook.md';

const abs = (relative: string, root = REPO_ROOT) => path.join(root, relative);

/** Metrics that may come from outside erpsync, per source file: kube-state-metrics in the k8s rules. */
const EXTERNAL_PREFIXES: Record<string, string[]> = { [MONITORING.kubernetesRules]: ['kube_'] };

/** Checks names and label matchers of a list of expressions against the metric catalog. */
export function checkExpressions(
  check: string,
  expressions: PromqlExpression[],
  catalog: MetricCatalog,
  variables: Record<string, string>,
  externalPrefixes: string[] = [],
): Problem[] {
  const problems: Problem[] = [];
  for (const { source, expr } of expressions) {
    let refs;
    try {
      refs = promqlReferences(substituteVariables(expr, variables));
    } catch (error) {
      problems.push(problem(check, source, (error as Error).message));
      continue;
    }
    if (refs.metrics.length === 0) problems.push(problem(check, source, `no metric in "${expr}"`));
    for (const name of refs.metrics) {
      if (catalog.seriesNames.has(name) || PROMETHEUS_SERIES.has(name)) continue;
      if (externalPrefixes.some((prefix) => name.startsWith(prefix))) continue;
      problems.push(
        problem(check, source, `unknown metric ${name} (not defined in libs/observability/src/metrics.ts)`),
      );
    }
    for (const matcher of refs.matchers) {
      if (!matcher.metric || matcher.label === '__name__') continue;
      const family = catalog.families.get(metricFamily(matcher.metric, catalog.histogramFamilies));
      if (!family) continue;
      const labels =
        family.type === 'histogram' && matcher.metric.endsWith('_bucket')
          ? [...family.labels, 'le']
          : family.labels;
      if (
        !labels.includes(matcher.label) &&
        !['job', 'instance', 'namespace', 'pod', 'service'].includes(matcher.label)
      ) {
        problems.push(
          problem(
            check,
            source,
            `${matcher.metric} has no label "${matcher.label}" (labels: ${labels.join(', ') || 'none'})`,
          ),
        );
        continue;
      }
      const allowed = catalog.labelValues(family.name, matcher.label);
      if (!allowed) continue;
      const values =
        matcher.op === '=' || matcher.op === '!=' ? [matcher.value] : literalAlternatives(matcher.value);
      for (const value of values ?? []) {
        if (value !== '' && !allowed.includes(value)) {
          problems.push(
            problem(
              check,
              source,
              `${matcher.metric}{${matcher.label}} never takes the value "${value}" (one of: ${allowed.join(', ')})`,
            ),
          );
        }
      }
    }
  }
  return problems;
}

/** `a|b|c.d` → the literal alternatives, or undefined when the regex is not a plain alternation. */
function literalAlternatives(regex: string): string[] | undefined {
  const parts = regex.split('|');
  const literal = (part: string) => /^([A-Za-z0-9_-]|\\\.|\.(?![*+?]))*$/.test(part);
  if (!parts.every(literal)) return undefined;
  return parts.map((part) => part.replace(/\\\./g, '.'));
}

export function checkBoard(board: unknown, catalog: MetricCatalog): Problem[] {
  const check = 'grafana';
  const where = MONITORING.board;
  const problems: Problem[] = [];
  if (!isObject(board)) return [problem(check, where, 'not a JSON object')];
  for (const key of ['uid', 'title', 'panels', 'schemaVersion']) {
    if (board[key] === undefined) problems.push(problem(check, where, `missing "${key}"`));
  }
  const ids = new Set<unknown>();
  const panels: Record<string, unknown>[] = [];
  const walk = (list: unknown) => {
    if (!Array.isArray(list)) return;
    for (const panel of list) {
      if (!isObject(panel)) continue;
      panels.push(panel);
      walk(panel.panels);
    }
  };
  walk(board.panels);
  for (const panel of panels) {
    if (ids.has(panel.id)) problems.push(problem(check, where, `panel id ${String(panel.id)} is used twice`));
    ids.add(panel.id);
    if (panel.type !== 'row' && Array.isArray(panel.targets)) {
      const ds = panel.datasource;
      if (!isObject(ds) || ds.uid !== '${datasource}') {
        problems.push(
          problem(check, where, `panel "${String(panel.title)}" must use the \${datasource} variable`),
        );
      }
    }
  }
  const variables = dashboardVariables(board);
  const expressions = dashboardExpressions(board);
  const located = expressions.map((e) => ({ ...e, source: `${where}: ${e.source}` }));
  problems.push(...checkBoardNamespaces(board, located, variables));
  problems.push(...checkExpressions(check, located, catalog, variables));
  // the board shows every erpsync metric: a new metric needs a panel
  const used = new Set<string>();
  for (const { expr } of expressions) {
    try {
      for (const name of promqlReferences(substituteVariables(expr, variables)).metrics)
        used.add(metricFamily(name, catalog.histogramFamilies));
    } catch {
      // reported above
    }
  }
  for (const family of catalog.families.keys()) {
    if (family.startsWith('erpsync_') && !used.has(family))
      problems.push(problem(check, where, `no panel shows ${family}`));
  }
  const rowTitles = panels.filter((p) => p.type === 'row').map((p) => String(p.title));
  for (const hop of ['Extractor', 'Transformer', 'Loader']) {
    if (!rowTitles.some((title) => title.startsWith(hop)))
      problems.push(problem(check, where, `no row for the ${hop} hop`));
  }
  return problems;
}

const AGGREGATIONS = 'sum|min|max|avg|group|count|stddev|stdvar|topk|bottomk|quantile|count_values';

/**
 * An alert keeps `namespace`: every aggregation is `by (namespace, …)` (never `without`, never bare),
 * so dev and prod in one Prometheus neither mask each other nor add up into one alert. The one
 * exception is absent(), which has no labels to keep: it must be guarded by `unless on (service)`.
 */
export function namespaceScopeProblems(expr: string): string[] {
  const problems: string[] = [];
  const pattern = new RegExp(`\\b(${AGGREGATIONS})\\s*(?:(by|without)\\s*\\(([^)]*)\\))?\\s*\\(`, 'g');
  for (const match of expr.matchAll(pattern)) {
    const [text, , clause, labels] = match;
    const rest = expr.slice((match.index ?? 0) + text.length);
    const trailing = /^[^()]*(?:\([^()]*\)[^()]*)*\)\s*(by|without)\s*\(([^)]*)\)/.exec(rest);
    const mode = clause ?? trailing?.[1];
    const list = (labels ?? trailing?.[2] ?? '').split(',').map((l) => l.trim());
    // absent()'s guard: `absent(x) unless on (service) group by (service) (…)`
    const guardedAbsent =
      list.length === 1 &&
      list[0] === 'service' &&
      /unless\s+on\s*\(\s*service\s*\)\s*$/.test(expr.slice(0, match.index));
    if (mode !== 'by' || (!list.includes('namespace') && !guardedAbsent))
      problems.push(`"${text.trim()}" must aggregate by (namespace, …)`);
  }
  for (const match of expr.matchAll(/\babsent\(/g)) {
    const rest = expr.slice(match.index);
    if (!/^absent\([^)]*\)\s*unless\s+on\s*\(\s*service\s*\)/.test(rest))
      problems.push('absent() has no namespace: guard it with `unless on (service)` a per-namespace arm');
  }
  return problems;
}

/** Every metric selector of the board is scoped by the `namespace` variable: namespace=~"$namespace". */
function checkBoardNamespaces(
  board: Record<string, unknown>,
  expressions: PromqlExpression[],
  variables: Record<string, string>,
): Problem[] {
  const problems: Problem[] = [];
  const templating: unknown[] =
    isObject(board.templating) && Array.isArray(board.templating.list) ? board.templating.list : [];
  const variable = templating.find((v) => isObject(v) && v.name === 'namespace');
  if (!isObject(variable) || variable.type !== 'query')
    problems.push(problem('grafana', MONITORING.board, 'no "namespace" query variable'));
  for (const { source, expr } of expressions) {
    let refs;
    try {
      refs = promqlReferences(substituteVariables(expr, { ...variables, namespace: 'NAMESPACE' }));
    } catch {
      continue; // reported by checkExpressions
    }
    for (const metric of refs.metrics) {
      const scoped = refs.matchers.some(
        (m) => m.metric === metric && m.label === 'namespace' && m.op === '=~' && m.value === 'NAMESPACE',
      );
      if (!scoped)
        problems.push(problem('grafana', source, `${metric} is not scoped by namespace=~"$namespace"`));
    }
  }
  return problems;
}

function runbookAnchors(runbook: string): Set<string> {
  const anchors = new Set<string>();
  for (const line of runbook.split('\n')) {
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    anchors.add(
      heading[1]
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    );
  }
  return anchors;
}

export function checkRules(
  files: { file: string; groups: RuleGroup[] }[],
  tests: { file: string; doc: unknown }[],
  runbook: string,
  catalog: MetricCatalog,
): Problem[] {
  const check = 'alerts';
  const problems: Problem[] = [];
  const anchors = runbookAnchors(runbook);
  const tested = new Set<string>();
  for (const { doc } of tests) {
    if (!isObject(doc) || !Array.isArray(doc.tests)) continue;
    for (const test of doc.tests) {
      if (!isObject(test) || !Array.isArray(test.alert_rule_test)) continue;
      for (const t of test.alert_rule_test) {
        if (
          isObject(t) &&
          typeof t.alertname === 'string' &&
          Array.isArray(t.exp_alerts) &&
          t.exp_alerts.length > 0
        )
          tested.add(t.alertname);
      }
    }
  }
  const seen = new Set<string>();
  for (const { file, groups } of files) {
    problems.push(
      ...checkExpressions(
        check,
        ruleExpressions(groups).map((e) => ({ ...e, source: `${file}: ${e.source}` })),
        catalog,
        {},
        EXTERNAL_PREFIXES[file] ?? [],
      ),
    );
    for (const group of groups) {
      for (const rule of group.rules) {
        if (!rule.alert) continue;
        const where = `${file} ${rule.alert}`;
        if (seen.has(rule.alert)) problems.push(problem(check, where, 'alert name used twice'));
        seen.add(rule.alert);
        if (!['critical', 'warning', 'info'].includes(rule.labels?.severity ?? '')) {
          problems.push(problem(check, where, 'needs a severity label (critical, warning or info)'));
        }
        for (const key of ['summary', 'description', 'runbook_url']) {
          if (!rule.annotations?.[key]) problems.push(problem(check, where, `needs a ${key} annotation`));
        }
        const url = rule.annotations?.runbook_url ?? '';
        const anchor = url.startsWith(`${RUNBOOK_BASE_URL}#`) ? url.slice(RUNBOOK_BASE_URL.length + 1) : '';
        if (!anchor) problems.push(problem(check, where, `runbook_url must be ${RUNBOOK_BASE_URL}#<anchor>`));
        else if (!anchors.has(anchor))
          problems.push(problem(check, where, `docs/runbook.md has no section #${anchor}`));
        for (const message of namespaceScopeProblems(rule.expr))
          problems.push(problem(check, where, message));
        if (!tested.has(rule.alert))
          problems.push(problem(check, where, 'no promtool unit test expects this alert to fire'));
      }
    }
  }
  return problems;
}

/** The PrometheusRule for Kubernetes: the compose rules plus the Kubernetes-only group. */
export function buildPrometheusRule(root = REPO_ROOT): string {
  const groups = [
    ...loadRuleGroups(abs(MONITORING.rules, root)),
    ...loadRuleGroups(abs(MONITORING.kubernetesRules, root)),
  ];
  const object = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'erpsync', labels: { 'app.kubernetes.io/name': 'erpsync' } },
    spec: { groups },
  };
  return (
    `# GENERATED from ${MONITORING.rules} and ${MONITORING.kubernetesRules}: do not edit.\n` +
    '# Regenerate with `npm run validate:deploy -- --sync`.\n' +
    stringify(object, { lineWidth: 0 })
  );
}

export function syncTargets(root = REPO_ROOT): { file: string; content: string }[] {
  return [
    { file: MONITORING.k8sPrometheusRule, content: buildPrometheusRule(root) },
    { file: MONITORING.k8sBoard, content: fs.readFileSync(abs(MONITORING.board, root), 'utf8') },
    // kustomize cannot load files outside an overlay: the dev overlay carries a copy of the demo mapping
    {
      file: 'k8s/overlays/dev/mapping.yaml',
      content: fs.readFileSync(abs('config/mapping.demo.yaml', root), 'utf8'),
    },
  ];
}

export function checkSync(root = REPO_ROOT): Problem[] {
  return syncTargets(root)
    .filter(
      ({ file, content }) =>
        !fs.existsSync(abs(file, root)) || fs.readFileSync(abs(file, root), 'utf8') !== content,
    )
    .map(({ file }) =>
      problem(
        'sync',
        file,
        'out of date with its source (monitoring/, config/): run `npm run validate:deploy -- --sync`',
      ),
    );
}

export function writeSync(root = REPO_ROOT): string[] {
  return syncTargets(root).map(({ file, content }) => {
    fs.writeFileSync(abs(file, root), content);
    return file;
  });
}

export const promtoolAvailable = (): boolean =>
  spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;

export const PROMTOOL_MISSING =
  'promtool not found: install Debian\'s "prometheus" package (apt-get install -y prometheus); CI installs it in .ci/run';

function promtool(args: string[], cwd: string): { ok: boolean; output: string } {
  const result = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

/** promtool check rules / test rules, check config, and a parse of every board expression. A missing
 * promtool is a problem, never a skip. */
export function checkWithPromtool(board: unknown, root = REPO_ROOT): Problem[] {
  const check = 'promtool';
  if (!promtoolAvailable()) return [problem(check, 'promtool', PROMTOOL_MISSING)];
  const problems: Problem[] = [];
  const rules = promtool(['check', 'rules', MONITORING.rules, MONITORING.kubernetesRules], root);
  if (!rules.ok) problems.push(problem(check, 'check rules', rules.output));
  const tests = promtool(
    ['test', 'rules', ...MONITORING.ruleTests.map((t) => path.basename(t))],
    abs('monitoring/alerts', root),
  );
  if (!tests.ok) problems.push(problem(check, 'test rules', tests.output));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'erpsync-promtool-'));
  try {
    // prometheus.yml names the rules file at its in-container path: check it against the repo copy
    const config = parse(fs.readFileSync(abs(MONITORING.prometheusConfig, root), 'utf8')) as Record<
      string,
      unknown
    >;
    config.rule_files = [abs(MONITORING.rules, root)];
    fs.writeFileSync(path.join(tmp, 'prometheus.yml'), stringify(config));
    const cfg = promtool(['check', 'config', path.join(tmp, 'prometheus.yml')], tmp);
    if (!cfg.ok) problems.push(problem(check, `check config ${MONITORING.prometheusConfig}`, cfg.output));
    // every board expression parses: promtool parses them as recording rules
    const variables = dashboardVariables(board);
    const expressions = dashboardExpressions(board);
    const groups = [
      {
        name: 'board',
        rules: expressions.map((e, index) => ({
          record: `erpsync_board:expr_${index}`,
          expr: substituteVariables(e.expr, variables),
        })),
      },
    ];
    fs.writeFileSync(path.join(tmp, 'board.rules.yml'), stringify({ groups }));
    const parsed = promtool(['check', 'rules', path.join(tmp, 'board.rules.yml')], tmp);
    if (!parsed.ok) {
      const detail = parsed.output.replace(
        /erpsync_board:expr_(\d+)/g,
        (_m, n: string) => expressions[Number(n)]?.source ?? n,
      );
      problems.push(problem(check, `board expressions ${MONITORING.board}`, detail));
    }
  } catch (error) {
    problems.push(problem(check, 'board expressions', (error as Error).message));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return problems;
}

export function loadMonitoring(root = REPO_ROOT) {
  const board: unknown = JSON.parse(fs.readFileSync(abs(MONITORING.board, root), 'utf8'));
  const ruleFiles = [MONITORING.rules, MONITORING.kubernetesRules].map((file) => ({
    file,
    groups: loadRuleGroups(abs(file, root)),
  }));
  const tests = MONITORING.ruleTests.map((file) => ({
    file,
    doc: parse(fs.readFileSync(abs(file, root), 'utf8')) as unknown,
  }));
  const runbook = fs.readFileSync(abs(MONITORING.runbook, root), 'utf8');
  return { board, ruleFiles, tests, runbook };
}
