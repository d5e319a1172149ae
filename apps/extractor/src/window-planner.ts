/** A query window on WDT `modified`, both bounds inclusive, whole seconds (epoch ms). */
export interface TimeWindow {
  startMs: number;
  endMs: number;
}

export interface PlanInput {
  /** Last second fully published (inclusive end of the last completed window). */
  checkpointMs: number;
  nowMs: number;
  overlapSeconds: number;
  safetyLagSeconds: number;
  /** Longest window: end − start ≤ maxSpanSeconds (WDT allows 3600). */
  maxSpanSeconds: number;
  /** Stop planning after this many windows (the caller plans again later). */
  maxWindows?: number;
}

const floorSecond = (ms: number): number => Math.floor(ms / 1000) * 1000;

/**
 * The next windows after a checkpoint: the first starts `overlap` seconds before the checkpoint
 * (re-reading late writers; duplicates are fine, gaps are not), each next one right after the
 * previous (contiguous), none ends after `now − safety lag`, and each covers at most `maxSpan`
 * seconds so a checkpoint far in the past catches up in max-span steps. A clock behind the
 * checkpoint plans nothing rather than a window ending before it starts.
 */
export function planWindows(input: PlanInput): TimeWindow[] {
  const limit = floorSecond(input.nowMs - input.safetyLagSeconds * 1000);
  const spanMs = Math.max(0, input.maxSpanSeconds - 1) * 1000;
  const maxWindows = input.maxWindows ?? Number.POSITIVE_INFINITY;
  const windows: TimeWindow[] = [];
  let start = floorSecond(input.checkpointMs) + 1000 - input.overlapSeconds * 1000;
  while (start <= limit && windows.length < maxWindows) {
    const end = Math.min(limit, start + spanMs);
    windows.push({ startMs: start, endMs: end });
    start = end + 1000;
  }
  return windows;
}

/** Windows covering [fromMs, toMs] exactly (a backfill range), in max-span steps. */
export function planRange(fromMs: number, toMs: number, maxSpanSeconds: number): TimeWindow[] {
  return planWindows({
    checkpointMs: floorSecond(fromMs) - 1000,
    nowMs: floorSecond(toMs),
    overlapSeconds: 0,
    safetyLagSeconds: 0,
    maxSpanSeconds,
  });
}
