import {
  formatWdtTime,
  parseWdtTime,
  tryParseWdtTime,
  wdtTimeBeijingDate,
  wdtTimeToIso,
  WdtTimeError,
} from './wdt-time';

describe('WDT times are Beijing time (+08:00)', () => {
  it('parses as +08:00 whatever the process time zone', () => {
    expect(parseWdtTime('2024-01-01 08:00:00')).toBe(Date.parse('2024-01-01T00:00:00Z'));
    expect(parseWdtTime('2024-01-01 07:59:59')).toBe(Date.parse('2023-12-31T23:59:59Z'));
    expect(wdtTimeBeijingDate('2024-01-01 07:59:59')).toBe('2024-01-01');
  });

  it('formats back to Beijing time, truncating milliseconds', () => {
    expect(formatWdtTime(Date.parse('2023-12-31T16:00:00.999Z'))).toBe('2024-01-01 00:00:00');
    expect(formatWdtTime(parseWdtTime('2024-02-29 23:59:59'))).toBe('2024-02-29 23:59:59');
  });

  it.each([
    '2023-02-29 10:00:00',
    '2024-13-01 00:00:00',
    '2024-01-01 24:00:00',
    '2024-01-01 10:60:00',
    '2024-01-01T10:00:00',
    '2024-1-1 10:00:00',
    '',
  ])('rejects %j with a WdtTimeError naming the value', (value) => {
    expect(() => parseWdtTime(value)).toThrow(WdtTimeError);
    expect(() => parseWdtTime(value)).toThrow(`"${value}" is not a WDT time`);
    expect(tryParseWdtTime(value)).toBeUndefined();
  });

  it('accepts a leap day; tryParse takes only strings', () => {
    expect(wdtTimeBeijingDate('2024-02-29 23:59:59')).toBe('2024-02-29');
    expect(tryParseWdtTime(12)).toBeUndefined();
  });

  it('converts to ISO-8601 with the offset, after checking the value', () => {
    expect(wdtTimeToIso('2024-01-01 23:59:59')).toBe('2024-01-01T23:59:59+08:00');
    expect(() => wdtTimeToIso('2024-02-30 00:00:00')).toThrow(WdtTimeError);
  });
});
