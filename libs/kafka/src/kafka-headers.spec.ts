import { decodeHeaders, deadLetterHeaders, headerText } from './kafka-headers';

describe('kafka headers', () => {
  it('builds the DLQ context headers with the documented names, the message clipped to 2000 characters', () => {
    expect(
      deadLetterHeaders({
        topic: 'sales.order.normalized.v1',
        partition: 2,
        offset: '41',
        errorClass: 'RetriableError',
        errorMessage: 'x'.repeat(2500),
        reason: 'retries_exhausted:timeout',
        attempts: 9,
        failedAt: new Date('2026-12-02T21:00:00.000Z'),
      }),
    ).toEqual({
      'dlq-original-topic': 'sales.order.normalized.v1',
      'dlq-original-partition': '2',
      'dlq-original-offset': '41',
      'dlq-error-class': 'RetriableError',
      'dlq-error-message': 'x'.repeat(2000),
      'dlq-error-reason': 'retries_exhausted:timeout',
      'dlq-failed-at': '2026-12-02T21:00:00.000Z',
      'dlq-attempts': '9',
    });
  });

  it('leaves out the partition and offset of a record that never was on the topic, and stamps the time', () => {
    const before = Date.now();
    const headers = deadLetterHeaders({
      topic: 'erp.wdt.trade.raw.v1',
      errorClass: 'WdtTradeParseError',
      errorMessage: 'trade_no missing',
      reason: 'invalid_trade',
      attempts: 1,
    });
    expect(Object.keys(headers)).toEqual([
      'dlq-original-topic',
      'dlq-error-class',
      'dlq-error-message',
      'dlq-error-reason',
      'dlq-failed-at',
      'dlq-attempts',
    ]);
    expect(Date.parse(headers['dlq-failed-at'])).toBeGreaterThanOrEqual(before);
  });

  it('decodes header values as text, the first of repeated ones, skipping absent ones', () => {
    const raw = { a: Buffer.from('ä'), b: ['one', Buffer.from('two')], c: undefined, d: 'plain' };
    expect(decodeHeaders(raw)).toEqual({ a: 'ä', b: 'one', d: 'plain' });
    expect(decodeHeaders(undefined)).toEqual({});
    expect([headerText(raw, 'b'), headerText(raw, 'c'), headerText(raw, 'missing')]).toEqual([
      'one',
      undefined,
      undefined,
    ]);
  });
});
