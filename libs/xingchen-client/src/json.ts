/** Lenient readers of vendor JSON: numbers may come as JSON numbers or strings, optional fields may be absent. */
export type Json = Record<string, unknown>;

export const str = (value: unknown): string | undefined =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' && Number.isFinite(value)
      ? String(value)
      : undefined;

export const asRecord = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;

export const records = (value: unknown): Json[] =>
  (Array.isArray(value) ? value : []).map(asRecord).filter((row): row is Json => row !== undefined);

/** `enable`: absent, `1`, `true` → enabled. */
export const enabled = (value: unknown): boolean =>
  value === undefined || value === null || value === true || value === 1 || value === '1' || value === 'true';

export const bool = (value: unknown): boolean =>
  value === true || value === 1 || value === '1' || value === 'true';

/** A positive integer from a number or a numeric string; `fallback` otherwise. */
export const int = (value: unknown, fallback: number): number => {
  const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(parsed) && parsed >= 0 ? Math.floor(parsed) : fallback;
};

/** The first non-empty text among the candidates. */
export const firstText = (...values: unknown[]): string | undefined => {
  for (const value of values) {
    const text = str(value);
    if (text) return text;
  }
  return undefined;
};
