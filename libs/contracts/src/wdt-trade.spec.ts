import {
  numberToDecimalString,
  parseWdtTrade,
  toWdtTime,
  wdtTradeNoOf,
  type WdtTradeParseError,
} from './wdt-trade';

/** Shaped like WDT's published samples of its sibling products: statuses, ids, counts and money as JSON numbers. */
const line = (changes: Record<string, unknown> = {}) => ({
  rec_id: 9001,
  spec_no: 'SKU-001',
  num: 2,
  share_amount: 102.1,
  gift_type: 0,
  refund_status: 0,
  tax_rate: 0.13,
  platform_extra: { kept: true },
  ...changes,
});

const trade = (changes: Record<string, unknown> = {}) => ({
  trade_id: 1001,
  trade_no: 'JY2024061800001',
  shop_no: 'TM01',
  warehouse_no: 'WH01',
  trade_status: 55,
  version_id: 1,
  trade_type: 1,
  trade_time: '2024-06-18 10:00:00',
  modified: '2024-06-18 10:05:00',
  created: '2024-06-18 10:00:00',
  pay_time: '0000-00-00 00:00:00',
  tax_rate: '',
  goods_list: [line()],
  ...changes,
});

const failure = (raw: unknown): WdtTradeParseError => {
  const result = parseWdtTrade(raw);
  if (result.ok) throw new Error('expected the trade to be refused');
  return result.error;
};

describe('parseWdtTrade: the tolerant WDT trade contract', () => {
  it('accepts JSON numbers for ids, statuses, counts, money and rates and normalises them to decimal strings', () => {
    const result = parseWdtTrade(trade());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.trade).toMatchObject({
      trade_id: '1001',
      trade_status: 55,
      version_id: '1',
      trade_type: 1, // not read by the mapping: kept exactly as sent
    });
    expect(result.trade.goods_list[0]).toEqual({
      rec_id: '9001',
      spec_no: 'SKU-001',
      num: '2',
      share_amount: '102.1',
      gift_type: 0,
      refund_status: 0,
      tax_rate: '0.13',
      platform_extra: { kept: true },
    });
  });

  it('reads "", null and 0000-00-00 00:00:00 as unset: the field is absent, not an error', () => {
    const result = parseWdtTrade(trade({ goods_list: [line({ tax_rate: '' }), line({ tax_rate: null })] }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect('pay_time' in result.trade).toBe(false);
    expect('tax_rate' in result.trade).toBe(false);
    expect(result.trade.goods_list.map((l) => 'tax_rate' in l)).toEqual([false, false]);
  });

  it('accepts the string shapes of the seed contract unchanged', () => {
    const result = parseWdtTrade(
      trade({
        trade_id: '1001',
        trade_status: '55',
        goods_list: [line({ num: '2.0000', share_amount: '102.0000', gift_type: '1', tax_rate: '0.1300' })],
      }),
    );
    expect(result.ok && result.trade.goods_list[0]).toMatchObject({
      num: '2.0000',
      share_amount: '102.0000',
      gift_type: 1,
      tax_rate: '0.1300',
    });
    expect(result.ok && result.trade.trade_status).toBe(55);
  });

  it('never rejects a trade for a field the mapping does not read', () => {
    const result = parseWdtTrade(
      trade({
        receivable: 'n/a',
        logistics_no: 12345,
        goods_list: [line({ price: 'free', actual_num: { odd: 1 }, modified: 'yesterday' })],
      }),
    );
    expect(result.ok).toBe(true);
  });

  it('names every broken field it reads: a line without spec_no, a trade without modified', () => {
    const noSpec = line();
    delete (noSpec as Partial<typeof noSpec>).spec_no;
    const broken = trade({ goods_list: [line(), noSpec] });
    delete (broken as Partial<typeof broken>).modified;
    const error = failure(broken);
    expect(error.reason).toBe('missing_field');
    expect(error.message).toBe('required fields missing: modified, goods_list.1.spec_no');
    expect(error.tradeNo).toBe('JY2024061800001');
    expect(error.modified).toBeUndefined();
  });

  it('keeps the strictness that protects the books: an unparsable modified, a non-numeric quantity', () => {
    expect(failure(trade({ modified: '2023-02-29 10:00:00' }))).toMatchObject({
      reason: 'bad_datetime',
      message: 'modified must be a real WDT time yyyy-MM-dd HH:mm:ss (Beijing) (got "2023-02-29 10:00:00")',
    });
    expect(failure(trade({ goods_list: [line({ num: 'two' })] }))).toMatchObject({
      reason: 'schema_violation',
      message: 'goods_list.0.num must be a decimal number (a JSON number or a numeric string) (got "two")',
    });
    expect(failure(trade({ trade_status: 55.5 })).reason).toBe('schema_violation');
    expect(failure(trade({ goods_list: 'not a list' })).message).toBe(
      'goods_list must be a list of lines (got "not a list")',
    );
  });

  it('refuses what is not an object, and a "__proto__" key', () => {
    expect(failure([trade()]).message).toBe('message is not a JSON object');
    const smuggled = JSON.parse(
      JSON.stringify(trade()).replace('"trade_id"', '"__proto__":{"x":1},"trade_id"'),
    ) as unknown;
    expect(failure(smuggled).message).toMatch(/"__proto__"/);
  });

  it('still finds the trade_no of a trade it cannot parse (a number is an id too)', () => {
    expect(wdtTradeNoOf({ trade_no: 77, goods_list: 'x' })).toBe('77');
    expect(wdtTradeNoOf({ goods_list: 'x' })).toBeUndefined();
  });
});

describe('numbers and times from JSON', () => {
  it('turns a JSON number into its shortest decimal string without arithmetic', () => {
    expect(numberToDecimalString(102.1)).toBe('102.1');
    expect(numberToDecimalString(0.1 + 0.2)).toBe('0.30000000000000004'); // what the JSON said, nothing rounded
    expect(numberToDecimalString(1e-7)).toBe('0.0000001');
    expect(numberToDecimalString(1.5e-7)).toBe('0.00000015');
    expect(numberToDecimalString(1e21)).toBe('1000000000000000000000');
    expect(numberToDecimalString(-0)).toBe('0');
  });

  it('reads a numeric time as Unix seconds or milliseconds (Beijing), and the unset markers as unset', () => {
    expect(toWdtTime(1718676300)).toBe('2024-06-18 10:05:00');
    expect(toWdtTime(1718676300000)).toBe('2024-06-18 10:05:00');
    expect(toWdtTime('1718676300')).toBe('2024-06-18 10:05:00');
    expect(toWdtTime('0000-00-00 00:00:00')).toBeUndefined();
    expect(toWdtTime(12)).toBeNull();
  });
});
