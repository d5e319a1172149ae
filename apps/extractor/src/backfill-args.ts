import { parseWdtTime } from '@app/contracts';

export const USAGE =
  'usage: main.js [backfill --from "yyyy-MM-dd HH:mm:ss" --to "yyyy-MM-dd HH:mm:ss"] (Beijing time)';

/** `--from`/`--to` of the backfill command as epoch ms. */
export function parseBackfillArgs(args: string[]): { fromMs: number; toMs: number } | string {
  const value = (flag: string) => {
    const index = args.indexOf(flag);
    return index >= 0 ? args[index + 1] : undefined;
  };
  const from = value('--from');
  const to = value('--to');
  if (!from || !to) return `backfill needs --from and --to. ${USAGE}`;
  let fromMs: number;
  let toMs: number;
  try {
    fromMs = parseWdtTime(from);
    toMs = parseWdtTime(to);
  } catch (error) {
    return `${(error as Error).message}. ${USAGE}`;
  }
  if (toMs < fromMs) return '--to must not be earlier than --from';
  return { fromMs, toMs };
}
