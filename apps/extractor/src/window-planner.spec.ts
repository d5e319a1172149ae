import { formatWdtTime, parseWdtTime } from '@app/contracts';
import { planRange, planWindows, type TimeWindow } from './window-planner';

const t = parseWdtTime;
const show = (windows: TimeWindow[]) =>
  windows.map((w) => [formatWdtTime(w.startMs), formatWdtTime(w.endMs)]);
const base = { overlapSeconds: 0, safetyLagSeconds: 0, maxSpanSeconds: 3600 };

describe('the window planner', () => {
  it('starts right after the checkpoint and ends at now − safety lag, both bounds inclusive', () => {
    const windows = planWindows({
      ...base,
      checkpointMs: t('2024-01-01 10:59:59'),
      nowMs: t('2024-01-01 11:30:10') + 999,
      safetyLagSeconds: 10,
    });
    expect(show(windows)).toEqual([['2024-01-01 11:00:00', '2024-01-01 11:30:00']]);
  });

  it('starts overlap seconds before the checkpoint', () => {
    const windows = planWindows({
      ...base,
      checkpointMs: t('2024-01-01 11:00:00'),
      nowMs: t('2024-01-01 11:10:00'),
      overlapSeconds: 60,
    });
    expect(show(windows)).toEqual([['2024-01-01 10:59:01', '2024-01-01 11:10:00']]);
  });

  it('never spans more than the maximum: hour-aligned windows hit xx:00:00 and xx:59:59 exactly', () => {
    const windows = planWindows({
      ...base,
      checkpointMs: t('2024-01-01 09:59:59'),
      nowMs: t('2024-01-01 12:30:00'),
    });
    expect(show(windows)).toEqual([
      ['2024-01-01 10:00:00', '2024-01-01 10:59:59'],
      ['2024-01-01 11:00:00', '2024-01-01 11:59:59'],
      ['2024-01-01 12:00:00', '2024-01-01 12:30:00'],
    ]);
    for (const w of windows) expect(w.endMs - w.startMs).toBeLessThanOrEqual(3600_000);
  });

  it('catches a checkpoint far in the past up in max-span steps with no gap and no overlap between them', () => {
    const checkpointMs = t('2023-12-01 00:00:00');
    const nowMs = t('2024-01-01 00:00:00');
    const windows = planWindows({ ...base, checkpointMs, nowMs, overlapSeconds: 60 });
    expect(windows).toHaveLength(31 * 24 + 1);
    expect(windows[0].startMs).toBe(checkpointMs - 59_000);
    for (let i = 1; i < windows.length; i++) expect(windows[i].startMs).toBe(windows[i - 1].endMs + 1000);
    expect(windows[windows.length - 1].endMs).toBe(nowMs);
    expect(planWindows({ ...base, checkpointMs, nowMs, maxWindows: 3 })).toHaveLength(3);
  });

  it('plans nothing when the clock is behind the checkpoint (skew) or nothing is old enough yet', () => {
    expect(
      planWindows({ ...base, checkpointMs: t('2024-01-01 12:00:00'), nowMs: t('2024-01-01 11:55:00') }),
    ).toEqual([]);
    expect(
      planWindows({
        ...base,
        checkpointMs: t('2024-01-01 12:00:00'),
        nowMs: t('2024-01-01 12:00:05'),
        safetyLagSeconds: 10,
      }),
    ).toEqual([]);
    // exactly one second old enough: a one-second window
    expect(
      show(
        planWindows({
          ...base,
          checkpointMs: t('2024-01-01 12:00:00'),
          nowMs: t('2024-01-01 12:00:11'),
          safetyLagSeconds: 10,
        }),
      ),
    ).toEqual([['2024-01-01 12:00:01', '2024-01-01 12:00:01']]);
  });

  it('handles a checkpoint with milliseconds and a one-second maximum span', () => {
    const windows = planWindows({
      ...base,
      checkpointMs: t('2024-01-01 12:00:00') + 500,
      nowMs: t('2024-01-01 12:00:03'),
      maxSpanSeconds: 1,
    });
    expect(show(windows)).toEqual([
      ['2024-01-01 12:00:01', '2024-01-01 12:00:01'],
      ['2024-01-01 12:00:02', '2024-01-01 12:00:02'],
      ['2024-01-01 12:00:03', '2024-01-01 12:00:03'],
    ]);
  });

  it('covers a backfill range exactly', () => {
    expect(show(planRange(t('2024-01-01 00:00:00'), t('2024-01-01 01:30:00'), 3600))).toEqual([
      ['2024-01-01 00:00:00', '2024-01-01 00:59:59'],
      ['2024-01-01 01:00:00', '2024-01-01 01:30:00'],
    ]);
  });
});
