import * as path from 'node:path';

/** One finding of a validator: where, and what is wrong. */
export interface Problem {
  check: string;
  where: string;
  message: string;
}

export const problem = (check: string, where: string, message: string): Problem => ({
  check,
  where,
  message,
});

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export const formatProblems = (problems: Problem[]): string =>
  problems.map((p) => `  ✗ [${p.check}] ${p.where}: ${p.message}`).join('\n');

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A scalar as text ('' for anything else): for values read from parsed YAML/JSON. */
export const str = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : '';
