/**
 * A small typed environment schema: each variable has a parser; `loadEnv` validates them all at
 * once and reports every bad variable by name. The inferred type is the config object.
 */
export type EnvSource = Record<string, string | undefined>;

export interface EnvVar<T> {
  readonly describe: string;
  readonly secret: boolean;
  /** Used when the variable is unset; undefined for required and optional-without-default ones. */
  readonly defaultValue?: T;
  readonly required: boolean;
  parse(raw: string | undefined): T;
}

class EnvValueError extends Error {}

function variable<T>(
  describe: string,
  parse: (raw: string) => T,
  options: { default?: T; optional?: boolean; secret?: boolean },
): EnvVar<T> {
  return {
    describe,
    secret: options.secret ?? false,
    defaultValue: options.default,
    required: options.default === undefined && !options.optional,
    parse(raw) {
      if (raw === undefined || raw === '') {
        if (options.default !== undefined) return options.default;
        if (options.optional) return undefined as T;
        throw new EnvValueError('is required');
      }
      return parse(raw);
    },
  };
}

interface Options<T> {
  default?: T;
  secret?: boolean;
}

export const env = {
  string: (o: Options<string> = {}) => variable('a string', (raw) => raw, o),
  optionalString: (o: { secret?: boolean } = {}) =>
    variable<string | undefined>('a string', (raw) => raw, { ...o, optional: true }),
  int: (o: Options<number> & { min?: number; max?: number } = {}) =>
    variable(
      'an integer',
      (raw) => {
        if (!/^-?\d+$/.test(raw.trim())) throw new EnvValueError(`must be an integer, got "${raw}"`);
        const value = Number(raw);
        if (o.min !== undefined && value < o.min) throw new EnvValueError(`must be ≥ ${o.min}, got ${value}`);
        if (o.max !== undefined && value > o.max) throw new EnvValueError(`must be ≤ ${o.max}, got ${value}`);
        return value;
      },
      o,
    ),
  /** A non-negative number that may have a fraction (seconds, rates); not for money. */
  number: (o: Options<number> & { min?: number; max?: number } = {}) =>
    variable(
      'a number',
      (raw) => {
        if (!/^-?\d+(\.\d+)?$/.test(raw.trim())) throw new EnvValueError(`must be a number, got "${raw}"`);
        const value = Number(raw);
        if (o.min !== undefined && value < o.min) throw new EnvValueError(`must be ≥ ${o.min}, got ${value}`);
        if (o.max !== undefined && value > o.max) throw new EnvValueError(`must be ≤ ${o.max}, got ${value}`);
        return value;
      },
      o,
    ),
  port: (o: Options<number> = {}) =>
    variable(
      'a TCP port',
      (raw) => {
        const value = Number(raw);
        if (!/^\d+$/.test(raw) || value < 0 || value > 65535)
          throw new EnvValueError(`must be a port 0–65535, got "${raw}"`);
        return value;
      },
      o,
    ),
  bool: (o: Options<boolean> = {}) =>
    variable(
      'true or false',
      (raw) => {
        if (/^(true|1|yes)$/i.test(raw)) return true;
        if (/^(false|0|no)$/i.test(raw)) return false;
        throw new EnvValueError(`must be true or false, got "${raw}"`);
      },
      o,
    ),
  url: (o: Options<string> & { protocols?: string[] } = {}) =>
    variable(
      'a URL',
      (raw) => {
        let parsed: URL;
        try {
          parsed = new URL(raw);
        } catch {
          throw new EnvValueError(`must be a URL, got "${raw}"`);
        }
        if (o.protocols && !o.protocols.includes(parsed.protocol.replace(/:$/, ''))) {
          throw new EnvValueError(`must use ${o.protocols.join(' or ')}, got "${parsed.protocol}"`);
        }
        return raw.replace(/\/+$/, '');
      },
      o,
    ),
  oneOf: <const V extends string>(values: readonly V[], o: Options<V> = {}) =>
    variable(
      `one of ${values.join(', ')}`,
      (raw) => {
        if (!(values as readonly string[]).includes(raw)) {
          throw new EnvValueError(`must be one of ${values.join(', ')}, got "${raw}"`);
        }
        return raw as V;
      },
      o,
    ),
  /** Comma-separated list, blanks dropped. */
  list: (o: Options<string[]> & { minItems?: number } = {}) =>
    variable(
      'a comma-separated list',
      (raw) => {
        const items = raw
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean);
        if (items.length < (o.minItems ?? 1))
          throw new EnvValueError(`needs at least ${o.minItems ?? 1} item(s)`);
        return items;
      },
      o,
    ),
};

export type EnvSchema = Record<string, EnvVar<unknown>>;
export type EnvConfig<S extends EnvSchema> = {
  readonly [K in keyof S as K extends string ? K : never]: S[K] extends EnvVar<infer T> ? T : never;
};

/**
 * A rule across several variables of a schema (e.g. which credentials the chosen API family needs).
 * It lives under a symbol key, so it survives spreading one schema into another (`...xingchenClientEnv`)
 * and is not a variable of its own. `check` gets the parsed values (a variable that failed its own
 * parser is absent) and returns one problem per violation, each naming the variables concerned.
 */
export interface EnvRule {
  readonly kind: 'env-rule';
  /** One sentence for docs/configuration.md. */
  readonly describe: string;
  check(values: Readonly<Record<string, unknown>>): string[];
}

/** `...envRule('…', (values) => problems)` inside a schema literal. */
export function envRule(
  describe: string,
  check: (values: Readonly<Record<string, unknown>>) => string[],
): Record<symbol, EnvRule> {
  return { [Symbol(describe)]: { kind: 'env-rule', describe, check } };
}

/** The cross-variable rules of a schema (its symbol-keyed entries). */
export function schemaRules(schema: EnvSchema): EnvRule[] {
  const record = schema as unknown as Record<symbol, unknown>;
  return Object.getOwnPropertySymbols(schema)
    .map((key) => record[key])
    .filter(
      (value): value is EnvRule =>
        typeof value === 'object' && value !== null && (value as EnvRule).kind === 'env-rule',
    );
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Validates every variable of the schema; throws one error naming each bad variable. */
export function loadEnv<S extends EnvSchema>(schema: S, source: EnvSource): EnvConfig<S> {
  const problems: string[] = [];
  const result: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(schema)) {
    try {
      result[name] = spec.parse(source[name]);
    } catch (error) {
      if (!(error instanceof EnvValueError)) throw error;
      problems.push(`${name} ${error.message} (expected ${spec.describe})`);
    }
  }
  for (const rule of schemaRules(schema)) problems.push(...rule.check(result));
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return Object.freeze(result) as EnvConfig<S>;
}

/** Names of the variables marked secret in a schema: what the logger redacts. */
export const secretNames = (schema: EnvSchema): string[] =>
  Object.entries(schema)
    .filter(([, spec]) => spec.secret)
    .map(([name]) => name);
