import { parseWdtTime, WdtTimeError } from './wdt-time';

describe('WDT times (Beijing, +08:00)', () => {
  it('parses as +08:00 whatever the process time zone', () => {
    const time = parseWdtTime('2024-01-01 07:59:59');
    expect(time.instant.toISOString()).toBe('2023-12-31T23:59:59.000Z');
    expect(time.iso).toBe('2024-01-01T07:59:59+08:00');
    expect(time.beijingDate).toBe('2024-01-01');
  });

  it.each([
    '2023-02-29 10:00:00',
    '2024-13-01 00:00:00',
    '2024-01-01 24:00:00',
    '2024-01-01 10:60:00',
    '2024-01-01T10:00:00',
    '2024-1-1 10:00:00',
    '',
  ])('rejects %j', (value) => {
    expect(() => parseWdtTime(value)).toThrow(WdtTimeError);
  });

  it('accepts a leap day', () => {
    expect(parseWdtTime('2024-02-29 23:59:59').beijingDate).toBe('2024-02-29');
  });
});
