import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogShops } from '@app/sandbox-catalog';
import { loadMappingFile, parseMappingText } from './mapping-file';
import { DEFAULT_MAPPING_RULES, MappingConfigError } from './mapping-rules';

const repoFile = (name: string): string => join(__dirname, '..', '..', '..', 'config', name);

const errorOf = (fn: () => unknown): MappingConfigError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof MappingConfigError) return error;
    throw error;
  }
  throw new Error('expected a MappingConfigError');
};

describe('mapping file', () => {
  it('the commented example in config/ is valid and shows the defaults', () => {
    const rules = loadMappingFile(repoFile('mapping.example.yaml'));
    expect(rules.customers.byShop).toEqual({ TM001: 'CUST-TM001', JD001: 'CUST-JD001', '0107': 'CUST-0107' });
    const { customers: _c, ...rest } = rules;
    const { customers: _d, ...defaults } = DEFAULT_MAPPING_RULES;
    expect(rest).toEqual(defaults);
  });

  it('the demo mapping maps every sandbox-catalog shop to its customer number', () => {
    const rules = loadMappingFile(repoFile('mapping.demo.yaml'));
    expect(rules.customers.byShop).toEqual(
      Object.fromEntries(catalogShops.map((shop) => [shop.shopNo, shop.customerNumber])),
    );
    expect(rules.customers.default).toBeUndefined();
  });

  it('reads JSON when the name ends in .json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mapping-'));
    const path = join(dir, 'mapping.json');
    writeFileSync(path, JSON.stringify({ customers: { default: 'CUST-ALL' }, price: { decimals: 2 } }));
    const rules = loadMappingFile(path);
    expect([rules.customers.default, rules.price.decimals]).toEqual(['CUST-ALL', 2]);
  });

  it('names the file and the bad key', () => {
    const error = errorOf(() =>
      parseMappingText(
        'customers: { default: C }\nstatuses:\n  eligible: [55, 95, x]\n',
        '/etc/erpsync/mapping.yaml',
      ),
    );
    expect(error.problems).toEqual(['statuses.eligible[2]: must be an integer, got the string "x"']);
    expect(error.message).toBe(
      'invalid mapping file /etc/erpsync/mapping.yaml:\n  - statuses.eligible[2]: must be an integer, got the string "x"',
    );
  });

  it('reports YAML and JSON syntax errors and duplicate keys', () => {
    expect(errorOf(() => parseMappingText('customers: [', 'm.yaml')).problems[0]).toMatch(
      /^\(document\): not valid YAML: /,
    );
    expect(
      errorOf(() => parseMappingText('customers:\n  default: A\n  default: B\n', 'm.yaml')).problems[0],
    ).toMatch(/^\(document\): not valid YAML: .*[Mm]ap keys must be unique/);
    expect(errorOf(() => parseMappingText('{"customers":', 'm.json')).problems[0]).toMatch(
      /^\(document\): not valid JSON: /,
    );
  });

  it('an unquoted numeric code is caught, not silently changed', () => {
    expect(
      errorOf(() => parseMappingText('customers:\n  byShop:\n    TM001: 007\n', 'm.yaml')).problems,
    ).toEqual([
      'customers.byShop.TM001: must be a non-empty string (quote codes like "007" in YAML), got number 7',
    ]);
  });

  it('a file that cannot be read is a MappingConfigError naming it', () => {
    const error = errorOf(() => loadMappingFile('/nonexistent/mapping.yaml'));
    expect(error.message).toMatch(
      /^invalid mapping file \/nonexistent\/mapping\.yaml:\n {2}- \(file\): cannot be read: ENOENT/,
    );
  });
});
