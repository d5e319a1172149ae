/** `--name value`, `--name=value` and bare `--flag` options after a command word. */
export interface ParsedArgs {
  command: string | undefined;
  options: Record<string, string | true>;
  positional: string[];
}

export function parseArgs(argv: string[]): ParsedArgs {
  const [command, ...rest] = argv;
  const options: Record<string, string | true> = {};
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq > 0) {
      options[arg.slice(2, eq)] = arg.slice(eq + 1);
    } else if (i + 1 < rest.length && !rest[i + 1].startsWith('--')) {
      options[arg.slice(2)] = rest[++i];
    } else {
      options[arg.slice(2)] = true;
    }
  }
  return { command, options, positional };
}

export class UsageError extends Error {}

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

export function checkKnownOptions(args: ParsedArgs, known: string[]): void {
  const unknown = Object.keys(args.options).filter((name) => !known.includes(name));
  if (unknown.length > 0)
    throw new UsageError(
      `unknown option(s): ${unknown.map((n) => `--${n}`).join(', ')} (known: ${known.map((n) => `--${n}`).join(', ')})`,
    );
}
