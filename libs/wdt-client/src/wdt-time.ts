/** WDT times are `yyyy-MM-dd HH:mm:ss` in Beijing time (Asia/Shanghai, UTC+8, no DST), always. */
const BEIJING_OFFSET_MS = 8 * 3600 * 1000;
const WDT_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** Epoch milliseconds → `yyyy-MM-dd HH:mm:ss` Beijing time (milliseconds are truncated). */
export function formatWdtTime(epochMs: number): string {
  const d = new Date(Math.floor(epochMs / 1000) * 1000 + BEIJING_OFFSET_MS);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

/** `yyyy-MM-dd HH:mm:ss` Beijing time → epoch milliseconds; throws on anything else. */
export function parseWdtTime(text: string): number {
  const match = WDT_TIME.exec(text);
  if (!match) throw new RangeError(`not a WDT time (yyyy-MM-dd HH:mm:ss): "${text}"`);
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  const back = new Date(utc);
  if (
    back.getUTCMonth() !== month - 1 ||
    back.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw new RangeError(`not a valid date: "${text}"`);
  }
  return utc - BEIJING_OFFSET_MS;
}

/** Like parseWdtTime but returns undefined instead of throwing. */
export function tryParseWdtTime(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    return parseWdtTime(text);
  } catch {
    return undefined;
  }
}

/** WDT time → ISO-8601 with its `+08:00` offset, e.g. `2024-01-01T23:59:59+08:00`. */
export const wdtTimeToIso = (text: string): string => {
  parseWdtTime(text);
  return `${text.replace(' ', 'T')}+08:00`;
};
