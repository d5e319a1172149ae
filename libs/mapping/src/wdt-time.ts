/** WDT times are `yyyy-MM-dd HH:mm:ss` in Beijing time (Asia/Shanghai, UTC+08:00, no DST since 1991). */
const WDT_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const BEIJING_OFFSET = '+08:00';
const BEIJING_OFFSET_MS = 8 * 3600 * 1000;

export interface WdtTime {
  /** The instant. */
  readonly instant: Date;
  /** ISO-8601 with the Beijing offset: `2024-01-01T23:59:59+08:00`. */
  readonly iso: string;
  /** The Beijing calendar date, `yyyy-MM-dd`. */
  readonly beijingDate: string;
}

export class WdtTimeError extends Error {
  constructor(readonly value: string) {
    super(`"${value}" is not a valid WDT time (yyyy-MM-dd HH:mm:ss, Beijing time)`);
    this.name = 'WdtTimeError';
  }
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * Parses a WDT time explicitly as +08:00 (never in the process's time zone) and rejects
 * impossible dates such as `2024-02-30 10:00:00` or `2024-01-01 24:00:00`.
 */
export function parseWdtTime(value: string): WdtTime {
  const match = WDT_TIME.exec(value);
  if (!match) throw new WdtTimeError(value);
  const [, y, mo, d, h, mi, s] = match;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${BEIJING_OFFSET}`;
  const instant = new Date(iso);
  if (Number.isNaN(instant.getTime())) throw new WdtTimeError(value);
  // Date normalizes overflow (Feb 30 → Mar 1); round-trip to catch it.
  const local = new Date(instant.getTime() + BEIJING_OFFSET_MS);
  const roundTrip =
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
  if (roundTrip !== value) throw new WdtTimeError(value);
  return { instant, iso, beijingDate: roundTrip.slice(0, 10) };
}
