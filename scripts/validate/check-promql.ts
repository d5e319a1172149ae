/**
 * Evaluates every PromQL expression of the Grafana board and the alert rules against a running
 * Prometheus (after an end-to-end run that scraped the services):
 *   - each expression must parse and evaluate (/api/v1/query answers status "success");
 *   - each metric it names must exist in that Prometheus: it has series, or a scraped target
 *     declares it (# HELP/# TYPE, /api/v1/metadata) — a labelled counter nobody incremented yet
 *     (no dead letters in a clean run) has no series but is declared. A typo has neither.
 *
 *   npx ts-node --swc scripts/validate/check-promql.ts --prometheus http://127.0.0.1:9090 \
 *     [--board monitoring/grafana/dashboards/erpsync.json] [--rules monitoring/alerts/erpsync.rules.yml]… \
 *     [--require-series] [--require-targets-up]
 * Exit code 0 when everything passes, 1 otherwise.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './common';
import {
  dashboardExpressions,
  dashboardVariables,
  loadRuleGroups,
  promqlReferences,
  ruleExpressions,
  substituteVariables,
  type PromqlExpression,
} from './promql';

export interface CheckPromqlOptions {
  prometheusUrl: string;
  boards: { file: string; board: unknown }[];
  ruleFiles: string[];
  /** fail when a metric is only declared (no series at all) */
  requireSeries?: boolean;
  /** fail when a scrape target is down */
  requireTargetsUp?: boolean;
  timeoutMs?: number;
}

export interface CheckPromqlResult {
  ok: boolean;
  expressions: number;
  metrics: number;
  failures: string[];
  notes: string[];
}

interface ApiAnswer {
  status: 'success' | 'error';
  data?: unknown;
  errorType?: string;
  error?: string;
}

/** GET with the parameters in the query string (every endpoint used here accepts GET; metadata only GET). */
async function api(
  base: string,
  endpoint: string,
  params: Record<string, string>,
  timeoutMs: number,
): Promise<ApiAnswer> {
  const url = new URL(endpoint, base.endsWith('/') ? base : `${base}/`);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  try {
    return JSON.parse(text) as ApiAnswer;
  } catch {
    return { status: 'error', error: `HTTP ${response.status}: ${text.slice(0, 200)}` };
  }
}

type Query = PromqlExpression & { query: string };
interface Findings {
  failures: string[];
  notes: string[];
}

export async function checkPromql(options: CheckPromqlOptions): Promise<CheckPromqlResult> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const found: Findings = { failures: [], notes: [] };
  const expressions = collectExpressions(options, found);
  const metrics = await evaluateExpressions(options, expressions, timeoutMs, found);
  await checkMetricsExist(options, metrics, timeoutMs, found);
  if (options.requireTargetsUp) await checkTargetsUp(options, timeoutMs, found);
  return {
    ok: found.failures.length === 0,
    expressions: expressions.length,
    metrics: metrics.size,
    failures: found.failures,
    notes: found.notes,
  };
}

/** The board expressions (variables substituted) and the rule expressions, each with its source. */
function collectExpressions(options: CheckPromqlOptions, found: Findings): Query[] {
  const expressions: Query[] = [];
  for (const { file, board } of options.boards) {
    const variables = dashboardVariables(board);
    for (const e of dashboardExpressions(board)) {
      try {
        expressions.push({
          ...e,
          source: `${file}: ${e.source}`,
          query: substituteVariables(e.expr, variables),
        });
      } catch (error) {
        found.failures.push(`${file}: ${e.source}: ${(error as Error).message}`);
      }
    }
  }
  for (const file of options.ruleFiles) {
    for (const e of ruleExpressions(loadRuleGroups(file)))
      expressions.push({ ...e, source: `${path.relative(REPO_ROOT, file)}: ${e.source}`, query: e.expr });
  }
  return expressions;
}

/** Every expression evaluates; returns the metrics they name, each with the sources naming it. */
async function evaluateExpressions(
  options: CheckPromqlOptions,
  expressions: Query[],
  timeoutMs: number,
  found: Findings,
): Promise<Map<string, string[]>> {
  const metrics = new Map<string, string[]>(); // metric → sources
  for (const e of expressions) {
    const answer = await api(options.prometheusUrl, 'api/v1/query', { query: e.query }, timeoutMs);
    if (answer.status !== 'success') {
      found.failures.push(
        `${e.source}: Prometheus rejects the expression (${answer.errorType ?? 'error'}: ${answer.error ?? '?'})\n      ${e.query}`,
      );
    }
    try {
      for (const metric of promqlReferences(e.query).metrics)
        metrics.set(metric, [...(metrics.get(metric) ?? []), e.source]);
    } catch (error) {
      found.failures.push(`${e.source}: ${(error as Error).message}`);
    }
  }
  return metrics;
}

/** Whether a scraped target declares a metric (a histogram or summary declares its series too). */
async function declaredMetrics(
  options: CheckPromqlOptions,
  timeoutMs: number,
): Promise<(metric: string) => boolean> {
  const metadata = await api(options.prometheusUrl, 'api/v1/metadata', {}, timeoutMs);
  const declared = new Map<string, string>(); // family → type
  if (metadata.status === 'success' && metadata.data && typeof metadata.data === 'object') {
    for (const [name, entries] of Object.entries(metadata.data as Record<string, { type: string }[]>))
      declared.set(name, entries[0]?.type ?? 'unknown');
  }
  return (metric) => {
    if (declared.has(metric)) return true;
    const histogram = /^(.*)_(bucket|sum|count)$/.exec(metric);
    return histogram !== null && ['histogram', 'summary'].includes(declared.get(histogram[1]) ?? '');
  };
}

/** Each named metric has series, or (unless series are required) is at least declared. */
async function checkMetricsExist(
  options: CheckPromqlOptions,
  metrics: Map<string, string[]>,
  timeoutMs: number,
  found: Findings,
): Promise<void> {
  const isDeclared = await declaredMetrics(options, timeoutMs);
  for (const [metric, sources] of [...metrics].sort(([a], [b]) => a.localeCompare(b))) {
    const answer = await api(
      options.prometheusUrl,
      'api/v1/query',
      { query: `count({__name__=${JSON.stringify(metric)}})` },
      timeoutMs,
    );
    const result =
      answer.status === 'success' ? ((answer.data as { result?: unknown[] } | undefined)?.result ?? []) : [];
    if (result.length > 0) continue;
    if (isDeclared(metric) && !options.requireSeries) {
      found.notes.push(
        `${metric}: declared by a target but has no series yet (used by ${sources.length} expression(s))`,
      );
      continue;
    }
    const where = [...new Set(sources)].slice(0, 3).join('; ');
    found.failures.push(
      `${metric}: no such metric in Prometheus${isDeclared(metric) ? ' (declared, but no series)' : ''} — used by ${where}`,
    );
  }
}

async function checkTargetsUp(
  options: CheckPromqlOptions,
  timeoutMs: number,
  found: Findings,
): Promise<void> {
  const targets = await api(options.prometheusUrl, 'api/v1/targets', { state: 'active' }, timeoutMs);
  const active =
    (
      targets.data as
        { activeTargets?: { scrapeUrl: string; health: string; lastError: string }[] } | undefined
    )?.activeTargets ?? [];
  if (active.length === 0) found.failures.push('Prometheus has no active scrape targets');
  for (const target of active) {
    if (target.health !== 'up')
      found.failures.push(`target ${target.scrapeUrl} is ${target.health}: ${target.lastError}`);
  }
}

async function main(argv: string[]): Promise<number> {
  let prometheusUrl = '';
  const boardFiles: string[] = [];
  const ruleFiles: string[] = [];
  let requireSeries = false;
  let requireTargetsUp = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--prometheus') prometheusUrl = argv[++i] ?? '';
    else if (arg === '--board') boardFiles.push(argv[++i] ?? '');
    else if (arg === '--rules') ruleFiles.push(argv[++i] ?? '');
    else if (arg === '--require-series') requireSeries = true;
    else if (arg === '--require-targets-up') requireTargetsUp = true;
    else {
      console.error(`unknown argument ${arg}`);
      return 2;
    }
  }
  if (!prometheusUrl) {
    console.error(
      'usage: check-promql --prometheus <url> [--board file]… [--rules file]… [--require-series] [--require-targets-up]',
    );
    return 2;
  }
  if (boardFiles.length === 0)
    boardFiles.push(path.join(REPO_ROOT, 'monitoring/grafana/dashboards/erpsync.json'));
  if (ruleFiles.length === 0) ruleFiles.push(path.join(REPO_ROOT, 'monitoring/alerts/erpsync.rules.yml'));
  const boards = boardFiles.map((file) => ({
    file: path.relative(REPO_ROOT, path.resolve(file)),
    board: JSON.parse(fs.readFileSync(file, 'utf8')) as unknown,
  }));
  const result = await checkPromql({
    prometheusUrl,
    boards,
    ruleFiles: ruleFiles.map((f) => path.resolve(f)),
    requireSeries,
    requireTargetsUp,
  });
  for (const note of result.notes) console.log(`  · ${note}`);
  for (const failure of result.failures) console.log(`  ✗ ${failure}`);
  console.log(
    `check-promql: ${result.expressions} expressions, ${result.metrics} metrics, ${result.failures.length} failure(s) against ${prometheusUrl}`,
  );
  return result.ok ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(2);
    },
  );
}
