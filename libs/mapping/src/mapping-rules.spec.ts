import {
  DEFAULT_MAPPING_RULES,
  MappingConfigError,
  parseMappingRules,
  renderTemplate,
} from './mapping-rules';

const problemsOf = (raw: unknown): string[] => {
  try {
    parseMappingRules(raw);
  } catch (error) {
    if (error instanceof MappingConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a MappingConfigError');
};

const minimal = { customers: { byShop: { TM001: 'CUST-TM001' } } };

describe('mapping rules', () => {
  it('fills in every default of the issue', () => {
    expect(parseMappingRules(minimal)).toEqual({
      customers: { byShop: { TM001: 'CUST-TM001' } },
      stores: { byWarehouse: {} },
      materials: { bySpecNo: {} },
      project: { field: 'custom_field42obgp309axx5_number', source: 'shop_no' },
      statuses: { eligible: [55, 95, 100, 105, 110, 113] },
      billDate: { source: 'trade_time' },
      price: { decimals: 4 },
      tax: { defaultPercent: '13' },
      remark: {},
    });
    expect(DEFAULT_MAPPING_RULES.statuses.eligible).toEqual([55, 95, 100, 105, 110, 113]);
  });

  it('reads every key', () => {
    const everyKey = {
      customers: { byShop: { A: 'C-A' }, default: 'C-DEF' },
      stores: { byWarehouse: { W1: 'S1' } },
      materials: { bySpecNo: { K1: 'M1' } },
      project: { field: 'custom_field_x', source: 'fixed', value: 'P1' },
      statuses: { eligible: [95] },
      billDate: { source: 'pay_time' },
      price: { decimals: 2 },
      tax: { defaultPercent: '9.5' },
      remark: { template: 'WDT {trade_no}' },
    };
    // the file's sections come back as written, without the version
    expect(parseMappingRules({ version: 1, ...structuredClone(everyKey) })).toEqual(everyKey);
  });

  it('names the bad key in each error', () => {
    expect(
      problemsOf({
        customers: { byShop: { TM001: 1001, '': 'x' } },
        store: {},
        project: { source: 'shop' },
        statuses: { eligible: [55, 95, '100', 5, 55.5, 95] },
        billDate: { source: 'paid_time' },
        price: { decimals: 4.5 },
        tax: { defaultPercent: '13%' },
        remark: { template: 'WDT {trade no}' },
      }),
    ).toEqual([
      'store: unknown key (expected one of version, customers, stores, materials, project, statuses, billDate, price, tax, remark)',
      'customers.byShop.TM001: must be a non-empty string (quote codes like "007" in YAML), got number 1001',
      'customers.byShop[""]: empty code',
      'project.source: must be one of shop_no, fixed, none, got the string "shop"',
      'statuses.eligible[2]: must be an integer, got the string "100"',
      'statuses.eligible[3]: 5 (cancelled) cannot be eligible: cancelled trades become cancellations',
      'statuses.eligible[4]: must be an integer, got number 55.5',
      'statuses.eligible[5]: duplicate status 95',
      'billDate.source: must be one of trade_time, pay_time, created, got the string "paid_time"',
      'price.decimals: must be an integer from 0 to 10, got number 4.5',
      'tax.defaultPercent: must be a number of percent points from 0 to 100 (13 = 13 %), got the string "13%"',
      'remark.template: has a "{" that is not part of a {field} placeholder (field names: letters, digits, _)',
    ]);
  });

  it('requires at least one customer', () => {
    expect(problemsOf({})).toEqual([
      'customers: needs byShop entries or a default: otherwise every trade is unmapped_shop',
    ]);
    expect(parseMappingRules({ customers: { default: 'C' } }).customers).toEqual({
      byShop: {},
      default: 'C',
    });
  });

  it('checks the project value against its source', () => {
    expect(problemsOf({ ...minimal, project: { source: 'fixed' } })).toEqual([
      'project.value: is required when project.source is fixed',
    ]);
    expect(problemsOf({ ...minimal, project: { value: 'P1' } })).toEqual([
      'project.value: is only used with project.source fixed (source is shop_no)',
    ]);
  });

  it('rejects a document that is not a mapping, and sections of the wrong shape', () => {
    expect(problemsOf(['a'])[0]).toBe('(document): must be a mapping, got a list');
    expect(problemsOf({ ...minimal, statuses: [55] })).toEqual([
      'statuses: must be a mapping with keys eligible, got a list',
    ]);
    expect(problemsOf({ ...minimal, statuses: { eligible: [] } })).toEqual([
      'statuses.eligible: must be a non-empty list of trade_status codes, got a list',
    ]);
    expect(problemsOf({ ...minimal, version: 2 })).toEqual(['version: must be 1, got number 2']);
  });

  it('keeps a code named __proto__ as a plain entry', () => {
    const rules = parseMappingRules(JSON.parse('{"customers":{"byShop":{"__proto__":"CUST-P"}}}'));
    expect(Object.keys(rules.customers.byShop)).toEqual(['__proto__']);
  });

  it('returns frozen rules', () => {
    const rules = parseMappingRules(minimal);
    expect(Object.isFrozen(rules.statuses.eligible)).toBe(true);
    expect(Object.isFrozen(rules.customers.byShop)).toBe(true);
  });

  it('renders a remark template from the trade’s top-level fields', () => {
    expect(
      renderTemplate('{trade_no}/{trade_status}/{missing}/{goods_list}', {
        trade_no: 'JY1',
        trade_status: 55,
        goods_list: [],
      }),
    ).toBe('JY1/55//');
  });
});
