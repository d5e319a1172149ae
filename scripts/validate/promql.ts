/**
 * PromQL helpers shared by the static checks and the live check against a Prometheus server:
 * collect every expression of the Grafana board and the alert rules, substitute the board's
 * template variables, and list the metric names and label matchers an expression uses.
 */
import * as fs from 'node:fs';
import { parse } from 'yaml';

export interface PromqlExpression {
  /** where it comes from, e.g. `board panel "WDT errors" (A)` or `rule ErpsyncDeadLetters` */
  source: string;
  /** the expression as written (Grafana variables not yet substituted) */
  expr: string;
}

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every `targets[].expr` of every panel (rows' nested panels included). */
export function dashboardExpressions(board: unknown): PromqlExpression[] {
  const found: PromqlExpression[] = [];
  const visitPanels = (panels: unknown): void => {
    if (!Array.isArray(panels)) return;
    for (const panel of panels) {
      if (!isObject(panel)) continue;
      const title = typeof panel.title === 'string' ? panel.title : `#${String(panel.id)}`;
      if (Array.isArray(panel.targets)) {
        for (const target of panel.targets) {
          if (isObject(target) && typeof target.expr === 'string') {
            found.push({
              source: `board panel "${title}" (${typeof target.refId === 'string' ? target.refId : '?'})`,
              expr: target.expr,
            });
          }
        }
      }
      visitPanels(panel.panels);
    }
  };
  if (isObject(board)) visitPanels(board.panels);
  return found;
}

export interface RuleGroup {
  name: string;
  rules: {
    alert?: string;
    record?: string;
    expr: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  }[];
}

export function loadRuleGroups(file: string): RuleGroup[] {
  const doc: unknown = parse(fs.readFileSync(file, 'utf8'));
  if (!isObject(doc) || !Array.isArray(doc.groups)) throw new Error(`${file}: no groups`);
  return doc.groups as RuleGroup[];
}

export function ruleExpressions(groups: RuleGroup[]): PromqlExpression[] {
  return groups.flatMap((group) =>
    group.rules.map((rule) => ({
      source: `rule ${rule.alert ?? rule.record ?? '?'} (group ${group.name})`,
      expr: rule.expr,
    })),
  );
}

/** Values the board's template variables take when an expression is evaluated outside Grafana. */
export function dashboardVariables(board: unknown): Record<string, string> {
  const values: Record<string, string> = {
    __rate_interval: '1m',
    __interval: '30s',
    __range: '1h',
    __range_s: '3600',
    __interval_ms: '30000',
  };
  if (isObject(board) && isObject(board.templating) && Array.isArray(board.templating.list)) {
    for (const variable of board.templating.list) {
      if (!isObject(variable) || typeof variable.name !== 'string') continue;
      const current = isObject(variable.current) ? variable.current.value : undefined;
      // "All" of a query variable stands for its allValue (a regex), as Grafana substitutes it
      const value =
        current === '$__all' && typeof variable.allValue === 'string'
          ? variable.allValue
          : typeof current === 'string'
            ? current
            : typeof variable.query === 'string'
              ? variable.query
              : '';
      values[variable.name] = value;
    }
  }
  return values;
}

/** Replaces `$var`, `${var}` and `[[var]]`; an unknown variable is an error. */
export function substituteVariables(expr: string, variables: Record<string, string>): string {
  return expr.replace(
    /\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g,
    (match, a?: string, b?: string, c?: string) => {
      const name = (a ?? b ?? c) as string;
      const value = variables[name];
      if (value === undefined) throw new Error(`unknown dashboard variable ${match}`);
      return value;
    },
  );
}

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'inf',
  'nan',
  'atan2',
  // aggregation operators: `sum by (x) (…)` puts a label list between the name and the parenthesis
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
]);
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

export interface LabelMatcher {
  metric: string | undefined;
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export interface PromqlReferences {
  metrics: string[];
  matchers: LabelMatcher[];
}

/**
 * The metric names and label matchers of an expression, from a small tokenizer (strings,
 * durations, label lists after by/without/on/ignoring/group_*, selectors in braces).
 * A name followed by `(` is a function or an aggregation, not a metric.
 */
export function promqlReferences(expr: string): PromqlReferences {
  const scanner = new PromqlScanner(expr);
  scanner.scan();
  return { metrics: [...scanner.metrics].sort(), matchers: scanner.matchers };
}

class PromqlScanner {
  readonly metrics = new Set<string>();
  readonly matchers: LabelMatcher[] = [];
  private i = 0;
  private lastMetric: string | undefined;

  constructor(private readonly expr: string) {}

  scan(): void {
    const { expr } = this;
    while (this.i < expr.length) {
      this.skipSpace();
      const c = expr[this.i];
      if (c === undefined) break;
      if (c === '"' || c === "'" || c === '`') {
        this.readString();
      } else if (c === '[') {
        this.skipPast(']');
      } else if (c === '{') {
        this.readSelector(this.lastMetric);
        this.lastMetric = undefined;
      } else if (/^[A-Za-z_:]/.test(c)) {
        this.readIdentifier();
      } else if (/[0-9.]/.test(c)) {
        this.skipNumber();
      } else {
        this.lastMetric = undefined;
        this.i++;
      }
    }
  }

  private skipSpace(): void {
    const { expr } = this;
    while (this.i < expr.length) {
      if (/\s/.test(expr[this.i])) this.i++;
      else if (expr[this.i] === '#') while (this.i < expr.length && expr[this.i] !== '\n') this.i++;
      else break;
    }
  }

  /** Moves past the next `end` character. */
  private skipPast(end: string): void {
    while (this.i < this.expr.length && this.expr[this.i] !== end) this.i++;
    this.i++;
  }

  private readString(): string {
    const { expr } = this;
    const quote = expr[this.i];
    this.i++;
    let value = '';
    while (this.i < expr.length && expr[this.i] !== quote) {
      if (expr[this.i] === '\\' && quote !== '`') {
        value += expr[this.i + 1] ?? '';
        this.i += 2;
      } else value += expr[this.i++];
    }
    if (this.i >= expr.length) throw new Error(`unterminated string in ${expr}`);
    this.i++;
    return value;
  }

  private readSelector(metric: string | undefined): void {
    const { expr } = this;
    this.i++; // {
    for (;;) {
      this.skipSpace();
      if (expr[this.i] === '}') {
        this.i++;
        return;
      }
      if (expr[this.i] === ',') {
        this.i++;
        continue;
      }
      const label = /^[A-Za-z_][A-Za-z0-9_]*/.exec(expr.slice(this.i))?.[0];
      if (!label) throw new Error(`bad label matcher at ${this.i} in ${expr}`);
      this.i += label.length;
      this.skipSpace();
      const op = /^(=~|!~|!=|=)/.exec(expr.slice(this.i))?.[0] as LabelMatcher['op'] | undefined;
      if (!op) throw new Error(`bad label matcher operator at ${this.i} in ${expr}`);
      this.i += op.length;
      this.skipSpace();
      if (!['"', "'", '`'].includes(expr[this.i]))
        throw new Error(`label value must be a string at ${this.i} in ${expr}`);
      const value = this.readString();
      if (label === '__name__' && op === '=') this.metrics.add(value);
      this.matchers.push({ metric, label, op, value });
    }
  }

  /** A metric name, or a keyword / function / aggregation (with its label list) that is none. */
  private readIdentifier(): void {
    const ident = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(this.expr.slice(this.i))?.[0] ?? '';
    this.i += ident.length;
    this.skipSpace();
    const next = this.expr[this.i];
    if (LABEL_LIST_KEYWORDS.has(ident.toLowerCase()) && next === '(') {
      this.skipPast(')');
      this.lastMetric = undefined;
    } else if (next === '(' || KEYWORDS.has(ident.toLowerCase())) {
      this.lastMetric = undefined;
    } else {
      this.metrics.add(ident);
      this.lastMetric = ident;
    }
  }

  /** A number or duration (5m, 1h30m, 1e3, 0x1f). */
  private skipNumber(): void {
    const literal = /^(0x[0-9a-fA-F]+|[0-9.]+(e[+-]?[0-9]+)?([smhdwy]|ms)*([0-9]+([smhdwy]|ms))*)/.exec(
      this.expr.slice(this.i),
    )?.[0];
    this.i += literal ? literal.length : 1;
  }
}

/** Histogram and summary series names map to their family: foo_bucket → foo. */
export function metricFamily(name: string, histogramFamilies: Set<string>): string {
  const match = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (match && histogramFamilies.has(match[1])) return match[1];
  return name;
}
