/** Small pure helpers: times, query strings, JSON text, badge colours. */

const pad = (n: number, width = 2): string => String(Math.abs(n)).padStart(width, '0');

/** A time in the browser's locale; '—' when there is none or it does not parse. */
export function localTime(iso: string | null | undefined, timeOnly = false): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return timeOnly ? date.toLocaleTimeString() : date.toLocaleString();
}

/** `yyyy-MM-ddTHH:mm[:ss]` of a datetime-local input → ISO with the browser's offset at that time. */
export function localInputToIso(value: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value)) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return undefined;
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const seconds = value.length === 16 ? `${value}:00` : value;
  return `${seconds}${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}

/**
 * A date input's `yyyy-MM-dd` → the ISO time of the start of that local day, or (end) of its last
 * millisecond. Anything else that already parses as a time is passed on as it is.
 */
export function dayToIso(value: string, end: boolean): string | undefined {
  if (value === '') return undefined;
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!day) return value;
  const start = new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3]) + (end ? 1 : 0));
  return new Date(start.getTime() - (end ? 1 : 0)).toISOString();
}

/** The value a date input shows for a query parameter (`yyyy-MM-dd`, or the local day of an ISO time). */
export function dayInputValue(value: string): string {
  if (value === '' || /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export const BEIJING_FORMAT = 'yyyy-MM-dd HH:mm:ss';
export const isBeijingTime = (value: string): boolean => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value);

/** A query string of the values that are set (no leading `?`). */
export function query(values: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values))
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  return params.toString();
}

/** Pretty JSON; a string that holds JSON is pretty-printed too, other text is shown as it is. */
export function pretty(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value, null, 2);
}

/** One-line JSON cut to `max` characters. */
export function shortJson(value: unknown, max = 80): string {
  if (value === undefined || value === null) return '—';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const GREEN = new Set([
  'synced',
  'ok',
  'done',
  'in_sync',
  'mapped',
  'success',
  'valid',
  'clean',
  'yes',
  'true',
]);
const GREY = new Set(['pending', 'running', 'not_owed', 'filtered', 'unknown']);
const RED = new Set([
  'rejected',
  'failed',
  'invalid',
  'error',
  'missing',
  'duplicated',
  'drifted',
  'dead_lettered',
  'no',
  'false',
]);

export type Tone = 'green' | 'grey' | 'red' | 'amber';

/** synced green, pending grey, rejected/failed red, anything else amber. */
export function toneOf(status: string): Tone {
  const key = status.toLowerCase();
  if (GREEN.has(key)) return 'green';
  if (GREY.has(key)) return 'grey';
  if (RED.has(key)) return 'red';
  return 'amber';
}
