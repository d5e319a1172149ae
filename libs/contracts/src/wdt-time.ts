/**
 * WDT times: `yyyy-MM-dd HH:mm:ss` in Beijing time (Asia/Shanghai, UTC+08:00, no DST since 1991),
 * always; parsed with that offset, never in the process's time zone. The one implementation for
 * the client, the extractor and the mapping rules.
 */
const BEIJING_OFFSET_MS = 8 * 3600 * 1000;
const WDT_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** Not a WDT time: another shape, or an impossible date such as `2024-02-30 10:00:00`. */
export class WdtTimeError extends RangeError {
  constructor(readonly value: string) {
    super(`"${value}" is not a WDT time (yyyy-MM-dd HH:mm:ss, Beijing time)`);
    this.name = 'WdtTimeError';
  }
}

/** Epoch milliseconds → `yyyy-MM-dd HH:mm:ss` Beijing time (milliseconds are truncated). */
export function formatWdtTime(epochMs: number): string {
  const d = new Date(Math.floor(epochMs / 1000) * 1000 + BEIJING_OFFSET_MS);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

/** `yyyy-MM-dd HH:mm:ss` Beijing time → epoch milliseconds; throws WdtTimeError on anything else. */
export function parseWdtTime(text: string): number {
  const match = WDT_TIME.exec(text);
  if (!match) throw new WdtTimeError(text);
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
  // Date.UTC carries overflow over (Feb 30 → Mar 1, 24:00 → the next day): refuse it instead
  if (
    back.getUTCFullYear() !== year ||
    back.getUTCMonth() !== month - 1 ||
    back.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw new WdtTimeError(text);
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

/** The Beijing calendar date of a WDT time, `yyyy-MM-dd`. */
export const wdtTimeBeijingDate = (text: string): string => {
  parseWdtTime(text);
  return text.slice(0, 10);
};
