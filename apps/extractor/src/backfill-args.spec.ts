import { parseBackfillArgs } from './backfill-args';

describe('the backfill command line', () => {
  it('reads --from and --to as Beijing time', () => {
    expect(parseBackfillArgs(['--from', '2024-01-01 00:00:00', '--to', '2024-01-01 08:00:00'])).toEqual({
      fromMs: Date.parse('2023-12-31T16:00:00Z'),
      toMs: Date.parse('2024-01-01T00:00:00Z'),
    });
  });

  it('explains what is wrong', () => {
    expect(parseBackfillArgs(['--from', '2024-01-01 00:00:00'])).toMatch(/needs --from and --to/);
    expect(parseBackfillArgs(['--from', '2024-01-01', '--to', '2024-01-02 00:00:00'])).toMatch(
      /not a WDT time/,
    );
    expect(parseBackfillArgs(['--from', '2024-01-02 00:00:00', '--to', '2024-01-01 00:00:00'])).toMatch(
      /earlier/,
    );
  });
});
