/** Field-by-field checks shared by both save bodies; a failure throws `Refused` naming the field. */

/** Internal refusal codes (in the V2 errcode and the stats; the V1 answer carries only the text). */
export const REFUSAL = {
  invalidField: 2001,
  customer: 2002,
  material: 2003,
  store: 2004,
  unit: 2005,
  duplicateBillNo: 2006,
  unknownBill: 2007,
  audited: 2008,
  entry: 2009,
} as const;

export class Refused extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export type FieldKind = 'string' | 'decimal' | 'date' | 'bool' | 'int' | 'map' | 'array' | 'object';

export const DECIMAL = /^-?\d+(\.\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function validDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return (
    date.getUTCFullYear() === Number(m[1]) &&
    date.getUTCMonth() === Number(m[2]) - 1 &&
    date.getUTCDate() === Number(m[3])
  );
}

const invalid = (field: string, message: string) => new Refused(REFUSAL.invalidField, message, field);

/** Checks one value against its kind. Decimals are JSON strings (protobuf-JSON "invalid value for string type"). */
export function checkKind(field: string, kind: FieldKind, value: unknown): void {
  switch (kind) {
    case 'string':
    case 'decimal':
    case 'date':
      if (typeof value !== 'string')
        throw invalid(field, `invalid value for string type: ${field} 必须是字符串`);
      if (kind === 'decimal' && !DECIMAL.test(value))
        throw invalid(field, `${field} 必须是十进制数字字符串, got "${value}"`);
      if (kind === 'date' && !validDate(value))
        throw invalid(field, `${field} 必须是 yyyy-MM-dd, got "${value}"`);
      return;
    case 'bool':
      if (typeof value !== 'boolean')
        throw invalid(field, `invalid value for bool type: ${field} 必须是布尔值`);
      return;
    case 'int':
      if (
        !(typeof value === 'number' && Number.isInteger(value)) &&
        !(typeof value === 'string' && /^-?\d+$/.test(value))
      )
        throw invalid(field, `${field} 必须是整数`);
      return;
    case 'map':
      if (!isPlainObject(value) || !Object.values(value).every((v) => typeof v === 'string'))
        throw invalid(field, `${field} 必须是 string → string 的对象`);
      return;
    case 'array':
      if (!Array.isArray(value)) throw invalid(field, `${field} 必须是数组`);
      return;
    case 'object':
      if (!isPlainObject(value)) throw invalid(field, `${field} 必须是对象`);
      return;
  }
}

/** A field-kind table from space-separated key lists: `fieldKinds('int', 'page pagesize')`. */
export const fieldKinds = (kind: FieldKind, keys: string): Record<string, FieldKind> =>
  Object.fromEntries(
    keys
      .split(/\s+/)
      .filter(Boolean)
      .map((key) => [key, kind]),
  );

/**
 * Refuses keys that are not in `spec` (nor matched by `extraKey`), values of the wrong kind, and
 * missing required keys (a required key with one of several names: `['customer_id', 'customer_number']`).
 */
export function checkObject(
  value: unknown,
  at: string,
  spec: Readonly<Record<string, FieldKind>>,
  required: ReadonlyArray<string | readonly string[]>,
  extraKey?: (key: string) => FieldKind | undefined,
): Record<string, unknown> {
  if (!isPlainObject(value)) throw invalid(at || 'body', `${at || '请求体'} 必须是 JSON 对象`);
  const name = (key: string) => (at ? `${at}.${key}` : key);
  for (const [key, v] of Object.entries(value)) {
    const kind = Object.prototype.hasOwnProperty.call(spec, key) ? spec[key] : extraKey?.(key);
    if (!kind) throw invalid(name(key), `unknown field "${name(key)}" (未知字段 ${name(key)})`);
    checkKind(name(key), kind, v);
  }
  for (const keys of required) {
    const names = typeof keys === 'string' ? [keys] : keys;
    if (!names.some((k) => value[k] !== undefined && value[k] !== ''))
      throw invalid(name(names[0]), `${names.map(name).join(' 或 ')} 必填`);
  }
  return value;
}

export function requireLines(lines: unknown[], field = 'material_entity'): void {
  if (lines.length === 0) throw invalid(field, `${field} 至少一行`);
}
