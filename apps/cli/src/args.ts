import { parseArgs as parseStrict } from 'node:util';
import { type EnvSchema } from '@app/config';

/** A wrong command line (or configuration): exit code 2, one line and the usage hint. */
export class UsageError extends Error {}

/** The CLI's exit codes (README "Command line" and `--help` say the same). */
export const ExitCode = {
  /** Ran, and the result is clean. */
  ok: 0,
  /** Ran, but the result is not clean (reconcile/check found problems, the demo's verdict, a replay not done). */
  notClean: 1,
  /** Wrong command line or configuration: nothing ran. */
  usage: 2,
  /** Runtime failure: a crash, Kafka or PostgreSQL not reachable. */
  failure: 3,
} as const;

export const EXIT_CODES_HELP = `exit codes: 0 clean, 1 ran but the result is not clean, 2 wrong command line or configuration, 3 runtime failure (crash, Kafka/PostgreSQL unreachable)`;

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** The value's placeholder in the usage line, e.g. `N`, `FILE`. */
  value?: string;
  /** Shown as the default (the command applies it). */
  default?: string;
  describe: string;
  required?: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  options: Record<string, OptionSpec>;
  /** Positional words, e.g. `<service>`; none means every bare word is refused. */
  positionals?: { name: string; describe: string; values?: readonly string[] };
  /** The environment the command reads (env schemas from libs/config and libs/stack). */
  env: EnvSchema;
  /** Extra lines at the end of the help. */
  notes?: string[];
  run(args: ParsedArgs): Promise<number>;
}

export interface ParsedArgs {
  command: string;
  options: Record<string, string | true | undefined>;
  positional: string[];
}

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * The words after the command, parsed by node:util's parseArgs in strict mode: unknown options,
 * a value given to a flag, a missing value and (unless the command takes them) bare words are refused.
 * Returns 'help' when --help/-h is among them.
 */
export function parseCommandArgs(spec: CommandSpec, argv: string[]): ParsedArgs | 'help' {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  const options = Object.fromEntries(
    Object.entries(spec.options).map(([name, o]) => [
      name,
      { type: o.type, ...(o.short ? { short: o.short } : {}) },
    ]),
  );
  let parsed;
  try {
    parsed = parseStrict({
      args: argv,
      options: { ...options, ...HELP_OPTION },
      strict: true,
      allowPositionals: spec.positionals !== undefined,
    });
  } catch (error) {
    throw new UsageError(usageMessage(spec, error as Error));
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  for (const [name, o] of Object.entries(spec.options)) {
    // `--out --once` would make "--once" the value of --out
    const value = values[name];
    if (o.type === 'string' && typeof value === 'string' && value.startsWith('-') && value.length > 1)
      throw new UsageError(`${spec.name}: --${name} needs a value, got the option "${value}"`);
    if (o.required && value === undefined) throw new UsageError(`${spec.name}: --${name} is required`);
  }
  const positional = parsed.positionals;
  const allowed = spec.positionals?.values;
  if (allowed) {
    const wrong = positional.find((word) => !allowed.includes(word));
    if (wrong !== undefined)
      throw new UsageError(
        `${spec.name}: unknown ${spec.positionals!.name} "${wrong}" (one of ${allowed.join(', ')})`,
      );
  }
  return {
    command: spec.name,
    options: Object.fromEntries(
      Object.entries(values)
        .filter(([name]) => name !== 'help')
        .map(([name, value]) => [
          name,
          value === true ? true : typeof value === 'string' ? value : undefined,
        ]),
    ),
    positional,
  };
}

/** parseArgs' messages, cut to one line and naming the command. */
function usageMessage(spec: CommandSpec, error: Error): string {
  const code = (error as { code?: string }).code;
  const first = error.message.split('\n')[0];
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
    return `${spec.name}: unexpected word ${/'([^']*)'/.exec(first)?.[0] ?? first} (every option starts with --)`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    return `${spec.name}: unknown option ${/'([^']*)'/.exec(first)?.[1] ?? first}`;
  return `${spec.name}: ${first.replace(/\.$/, '')}`;
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.options[name];
  if (value === true) throw new UsageError(`--${name} needs a value`);
  return value;
}

export function intOption(args: ParsedArgs, name: string, fallback: number): number {
  const value = stringOption(args, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number, got "${value}"`);
  return Number(value);
}

/** `./erpsync demo [--once] [--out DIR] …` */
export function usageLine(spec: CommandSpec): string {
  const options = Object.entries(spec.options).map(([name, o]) => {
    const word = `--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    return o.required ? word : `[${word}]`;
  });
  const positional = spec.positionals
    ? [`<${spec.positionals.values?.join('|') ?? spec.positionals.name}>`]
    : [];
  return ['./erpsync', spec.name, ...positional, ...options].join(' ');
}

const shown = (value: unknown): string =>
  Array.isArray(value)
    ? value.join(',')
    : typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : JSON.stringify(value);

/** The command's help: usage, options with defaults, the environment it reads, exit codes. */
export function commandHelp(spec: CommandSpec): string {
  const optionRows = Object.entries(spec.options).map(([name, o]) => {
    const word = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    const extra = o.required ? ' (required)' : o.default !== undefined ? ` (default: ${o.default})` : '';
    return `  ${word.padEnd(28)} ${o.describe}${extra}`;
  });
  optionRows.push(`  ${'-h, --help'.padEnd(28)} this help`);
  const envRows = Object.entries(spec.env).map(([name, v]) => {
    const value = v.required
      ? 'required'
      : v.defaultValue === undefined
        ? 'optional'
        : v.secret
          ? 'default set (secret)'
          : `default ${shown(v.defaultValue)}`;
    return `  ${name.padEnd(36)} ${value}`;
  });
  return [
    `${spec.summary}`,
    '',
    `usage: ${usageLine(spec)}`,
    ...(spec.positionals ? ['', `  <${spec.positionals.name}>  ${spec.positionals.describe}`] : []),
    '',
    'options:',
    ...optionRows,
    '',
    envRows.length ? 'environment:' : 'environment: none',
    ...envRows,
    ...(spec.notes?.length ? ['', ...spec.notes] : []),
    '',
    EXIT_CODES_HELP,
    '',
  ].join('\n');
}
