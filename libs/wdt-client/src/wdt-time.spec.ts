import { formatWdtTime, parseWdtTime, tryParseWdtTime, wdtTimeToIso } from './wdt-time';

describe('WDT times are Beijing time', () => {
  it('parses as +08:00 whatever the process time zone', () => {
    expect(parseWdtTime('2024-01-01 08:00:00')).toBe(Date.parse('2024-01-01T00:00:00Z'));
    expect(parseWdtTime('2024-01-01 00:00:00')).toBe(Date.parse('2023-12-31T16:00:00Z'));
  });

  it('formats back to Beijing time, truncating milliseconds', () => {
    expect(formatWdtTime(Date.parse('2023-12-31T16:00:00.999Z'))).toBe('2024-01-01 00:00:00');
    expect(formatWdtTime(parseWdtTime('2024-02-29 23:59:59'))).toBe('2024-02-29 23:59:59');
  });

  it('rejects other shapes and impossible dates', () => {
    expect(() => parseWdtTime('2024-01-01T00:00:00')).toThrow(RangeError);
    expect(() => parseWdtTime('2023-02-29 00:00:00')).toThrow(RangeError);
    expect(() => parseWdtTime('2023-01-01 24:00:00')).toThrow(RangeError);
    expect(tryParseWdtTime(12)).toBeUndefined();
  });

  it('converts to ISO-8601 with the offset', () => {
    expect(wdtTimeToIso('2024-01-01 23:59:59')).toBe('2024-01-01T23:59:59+08:00');
  });
});
