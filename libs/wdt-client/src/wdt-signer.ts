import { createHash } from 'node:crypto';

/** Request parameters as sent: every value a string. */
export type WdtParams = Record<string, string>;

const md5Hex = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

/** Length in characters (Unicode code points), not bytes and not UTF-16 units. */
const charLength = (text: string): number => [...text].length;

const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Qimen (TOP) signature: `UPPER(hex(md5(secret + Σ key+value + secret)))` over the parameters sorted
 * by key, empty values skipped, `sign` excluded.
 */
export function qimenSign(params: WdtParams, secret: string): string {
  const body = Object.keys(params)
    .filter((key) => key !== 'sign' && params[key] !== undefined && params[key] !== '')
    .sort(byKey)
    .map((key) => `${key}${params[key]}`)
    .join('');
  return md5Hex(`${secret}${body}${secret}`).toUpperCase();
}

/**
 * The native open API's packed string: items `%02d(len key)-key:%04d(len value)-value` joined by `;`,
 * sorted by key, `sign` excluded; lengths in characters.
 */
export function openapiPack(params: WdtParams): string {
  return Object.keys(params)
    .filter((key) => key !== 'sign')
    .sort(byKey)
    .map((key) => {
      const value = params[key] ?? '';
      return `${String(charLength(key)).padStart(2, '0')}-${key}:${String(charLength(value)).padStart(4, '0')}-${value}`;
    })
    .join(';');
}

/** Native open API signature: `lower(hex(md5(pack(params) + appsecret)))`. */
export function openapiSign(params: WdtParams, appSecret: string): string {
  return md5Hex(`${openapiPack(params)}${appSecret}`);
}
