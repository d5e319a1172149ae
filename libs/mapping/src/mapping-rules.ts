/**
 * The mapping file (`MAPPING_FILE`): which trades become orders and how WDT codes become Xingchen
 * numbers. Every key is optional and has the default of docs/mapping-rules.md; validation names
 * each bad key (`statuses.eligible[2]: must be an integer`).
 */

export const PROJECT_SOURCES = ['shop_no', 'fixed', 'none'] as const;
export type ProjectSource = (typeof PROJECT_SOURCES)[number];

export const BILL_DATE_SOURCES = ['trade_time', 'pay_time', 'created'] as const;
export type BillDateSource = (typeof BILL_DATE_SOURCES)[number];

/** WDT `trade_status` 5 (已取消): always a cancellation, never eligible. */
export const CANCELLED_STATUS = 5;

export const MAPPING_FILE_VERSION = 1;

export interface MappingRules {
  readonly customers: {
    /** WDT `shop_no` → Xingchen customer number. */
    readonly byShop: Readonly<Record<string, string>>;
    /** Customer number for shops not in `byShop`; none → such trades are invalid (`unmapped_shop`). */
    readonly default?: string;
  };
  /** WDT `warehouse_no` → Xingchen store number; default: the same code. */
  readonly stores: { readonly byWarehouse: Readonly<Record<string, string>> };
  /** WDT `spec_no` → Xingchen material number; default: the same code. */
  readonly materials: { readonly bySpecNo: Readonly<Record<string, string>> };
  readonly project: {
    /** Xingchen custom field that carries the project. */
    readonly field: string;
    readonly source: ProjectSource;
    /** The value when `source` is `fixed`. */
    readonly value?: string;
  };
  readonly statuses: { readonly eligible: readonly number[] };
  readonly billDate: { readonly source: BillDateSource };
  readonly price: { readonly decimals: number };
  /** Tax rate in percent points when neither the line nor the trade has one; a decimal string. */
  readonly tax: { readonly defaultPercent: string };
  /** `{field}` placeholders are replaced by the trade's top-level field; none → no remark. */
  readonly remark: { readonly template?: string };
}

export const DEFAULT_PROJECT_FIELD = 'custom_field42obgp309axx5_number';

export const DEFAULT_MAPPING_RULES: MappingRules = deepFreeze({
  customers: { byShop: {} },
  stores: { byWarehouse: {} },
  materials: { bySpecNo: {} },
  project: { field: DEFAULT_PROJECT_FIELD, source: 'shop_no' },
  statuses: { eligible: [55, 95, 100, 105, 110, 113] },
  billDate: { source: 'trade_time' },
  price: { decimals: 4 },
  tax: { defaultPercent: '13' },
  remark: {},
});

export const MAX_PRICE_DECIMALS = 10;

export class MappingConfigError extends Error {
  constructor(
    readonly problems: string[],
    readonly file?: string,
  ) {
    super(
      `invalid mapping${file ? ` file ${file}` : ''}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
    this.name = 'MappingConfigError';
  }
}

/** Looks a code up in a mapping table without ever hitting Object.prototype (`constructor`, `__proto__`). */
export const lookUp = (table: Readonly<Record<string, string>>, code: string): string | undefined =>
  Object.prototype.hasOwnProperty.call(table, code) ? table[code] : undefined;

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Names used in a remark template, or a description of its syntax error. */
export function templatePlaceholders(template: string): { names: string[] } | { error: string } {
  const stripped = template.replace(PLACEHOLDER, '');
  const stray = stripped.search(/[{}]/);
  if (stray >= 0) {
    return {
      error: `"${stripped[stray]}" that is not part of a {field} placeholder (field names: letters, digits, _)`,
    };
  }
  return { names: [...template.matchAll(PLACEHOLDER)].map((match) => match[1]) };
}

/** Replaces each `{field}` with the trade's top-level string or number field (missing → empty). */
export function renderTemplate(template: string, fields: Readonly<Record<string, unknown>>): string {
  return template.replace(PLACEHOLDER, (_whole, name: string) => {
    const value = Object.prototype.hasOwnProperty.call(fields, name) ? fields[name] : undefined;
    return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  });
}

// ---------------------------------------------------------------------------------------------
// validation

type Plain = Record<string, unknown>;

const isPlainObject = (value: unknown): value is Plain =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const keyPath = (parent: string, key: string): string =>
  /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)
    ? parent
      ? `${parent}.${key}`
      : key
    : `${parent}[${JSON.stringify(key)}]`;

const describe = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return typeof value;
};

class Checker {
  readonly problems: string[] = [];

  add(path: string, message: string): void {
    this.problems.push(`${path}: ${message}`);
  }

  /** A section: absent → {}, otherwise a mapping whose keys are all known. */
  section(raw: unknown, path: string, known: readonly string[]): Plain {
    if (raw === undefined || raw === null) return {};
    if (!isPlainObject(raw)) {
      this.add(path, `must be a mapping with keys ${known.join(', ')}, got ${describe(raw)}`);
      return {};
    }
    for (const key of Object.keys(raw)) {
      if (!known.includes(key))
        this.add(keyPath(path, key), `unknown key (expected one of ${known.join(', ')})`);
    }
    return raw;
  }

  codeTable(raw: unknown, path: string): Record<string, string> {
    if (raw === undefined || raw === null) return {};
    if (!isPlainObject(raw)) {
      this.add(path, `must be a mapping of code → number, got ${describe(raw)}`);
      return {};
    }
    const table: Record<string, string> = {};
    for (const [key, value] of Object.entries(raw)) {
      const path2 = keyPath(path, key);
      if (key.trim() === '') this.add(path2, 'empty code');
      else if (typeof value !== 'string' || value.trim() === '') {
        this.add(
          path2,
          `must be a non-empty string (quote codes like "007" in YAML), got ${describe(value)}`,
        );
      } else Object.defineProperty(table, key, { value, enumerable: true, writable: false });
    }
    return table;
  }

  optionalString(raw: unknown, path: string): string | undefined {
    if (raw === undefined || raw === null) return undefined;
    if (typeof raw !== 'string' || raw.trim() === '') {
      this.add(path, `must be a non-empty string, got ${describe(raw)}`);
      return undefined;
    }
    return raw;
  }

  oneOf<V extends string>(raw: unknown, path: string, values: readonly V[], fallback: V): V {
    if (raw === undefined || raw === null) return fallback;
    if (typeof raw !== 'string' || !(values as readonly string[]).includes(raw)) {
      this.add(path, `must be one of ${values.join(', ')}, got ${describe(raw)}`);
      return fallback;
    }
    return raw as V;
  }
}

const TOP_LEVEL_KEYS = [
  'version',
  'customers',
  'stores',
  'materials',
  'project',
  'statuses',
  'billDate',
  'price',
  'tax',
  'remark',
];

/** Validates a parsed mapping document (YAML or JSON) and fills in the defaults. */
export function parseMappingRules(raw: unknown, file?: string): MappingRules {
  const c = new Checker();
  const root = readRoot(c, raw);
  // each section in the order of the file's documentation: the problems are listed in that order
  const customers = readCustomers(c, root);
  const stores = c.section(root.stores, 'stores', ['byWarehouse']);
  const byWarehouse = c.codeTable(stores.byWarehouse, 'stores.byWarehouse');
  const materials = c.section(root.materials, 'materials', ['bySpecNo']);
  const bySpecNo = c.codeTable(materials.bySpecNo, 'materials.bySpecNo');
  const project = readProject(c, root);
  const eligible = readEligible(c, root);
  const billDate = c.section(root.billDate, 'billDate', ['source']);
  const billDateSource = c.oneOf(
    billDate.source,
    'billDate.source',
    BILL_DATE_SOURCES,
    DEFAULT_MAPPING_RULES.billDate.source,
  );
  const decimals = readDecimals(c, root);
  const defaultPercent = readDefaultPercent(c, root);
  const remark = readRemark(c, root);

  if (c.problems.length > 0) throw new MappingConfigError(c.problems, file);

  return deepFreeze({
    customers,
    stores: { byWarehouse },
    materials: { bySpecNo },
    project,
    statuses: { eligible },
    billDate: { source: billDateSource },
    price: { decimals },
    tax: { defaultPercent },
    remark,
  });
}

/** The document itself: a mapping of known top-level keys, of this file version. */
function readRoot(c: Checker, raw: unknown): Plain {
  let root: Plain = {};
  if (raw !== undefined && raw !== null) {
    if (isPlainObject(raw)) root = raw;
    else c.add('(document)', `must be a mapping, got ${describe(raw)}`);
  }
  for (const key of Object.keys(root)) {
    if (!TOP_LEVEL_KEYS.includes(key))
      c.add(keyPath('', key), `unknown key (expected one of ${TOP_LEVEL_KEYS.join(', ')})`);
  }
  if (root.version !== undefined && root.version !== MAPPING_FILE_VERSION) {
    c.add('version', `must be ${MAPPING_FILE_VERSION}, got ${describe(root.version)}`);
  }
  return root;
}

function readCustomers(c: Checker, root: Plain): MappingRules['customers'] {
  const before = c.problems.length;
  const customers = c.section(root.customers, 'customers', ['byShop', 'default']);
  const byShop = c.codeTable(customers.byShop, 'customers.byShop');
  const defaultCustomer = c.optionalString(customers.default, 'customers.default');
  if (Object.keys(byShop).length === 0 && defaultCustomer === undefined && c.problems.length === before) {
    c.add('customers', 'needs byShop entries or a default: otherwise every trade is unmapped_shop');
  }
  return defaultCustomer === undefined ? { byShop } : { byShop, default: defaultCustomer };
}

function readProject(c: Checker, root: Plain): MappingRules['project'] {
  const d = DEFAULT_MAPPING_RULES;
  const project = c.section(root.project, 'project', ['field', 'source', 'value']);
  const projectSource = c.oneOf(project.source, 'project.source', PROJECT_SOURCES, d.project.source);
  const projectField = c.optionalString(project.field, 'project.field') ?? d.project.field;
  const projectValue = c.optionalString(project.value, 'project.value');
  if (projectSource === 'fixed' && projectValue === undefined && project.value === undefined) {
    c.add('project.value', 'is required when project.source is fixed');
  }
  if (projectSource !== 'fixed' && project.value !== undefined) {
    c.add('project.value', `is only used with project.source fixed (source is ${projectSource})`);
  }
  return projectSource === 'fixed'
    ? { field: projectField, source: projectSource, value: projectValue }
    : { field: projectField, source: projectSource };
}

function readEligible(c: Checker, root: Plain): number[] {
  const statuses = c.section(root.statuses, 'statuses', ['eligible']);
  if (statuses.eligible === undefined) return [...DEFAULT_MAPPING_RULES.statuses.eligible];
  if (!Array.isArray(statuses.eligible) || statuses.eligible.length === 0) {
    c.add(
      'statuses.eligible',
      `must be a non-empty list of trade_status codes, got ${describe(statuses.eligible)}`,
    );
    return [...DEFAULT_MAPPING_RULES.statuses.eligible];
  }
  const eligible: number[] = [];
  statuses.eligible.forEach((value: unknown, index) => {
    const path = `statuses.eligible[${index}]`;
    if (typeof value !== 'number' || !Number.isInteger(value))
      c.add(path, `must be an integer, got ${describe(value)}`);
    else if (value === CANCELLED_STATUS) {
      c.add(
        path,
        `${CANCELLED_STATUS} (cancelled) cannot be eligible: cancelled trades become cancellations`,
      );
    } else if (eligible.includes(value)) c.add(path, `duplicate status ${value}`);
    else eligible.push(value);
  });
  return eligible;
}

function readDecimals(c: Checker, root: Plain): number {
  const price = c.section(root.price, 'price', ['decimals']);
  const value = price.decimals;
  if (value === undefined) return DEFAULT_MAPPING_RULES.price.decimals;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_PRICE_DECIMALS) {
    c.add('price.decimals', `must be an integer from 0 to ${MAX_PRICE_DECIMALS}, got ${describe(value)}`);
    return DEFAULT_MAPPING_RULES.price.decimals;
  }
  return value;
}

function readDefaultPercent(c: Checker, root: Plain): string {
  const tax = c.section(root.tax, 'tax', ['defaultPercent']);
  const value = tax.defaultPercent;
  if (value === undefined) return DEFAULT_MAPPING_RULES.tax.defaultPercent;
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string' || !/^\d+(\.\d+)?$/.test(text) || Number(text) > 100) {
    c.add(
      'tax.defaultPercent',
      `must be a number of percent points from 0 to 100 (13 = 13 %), got ${describe(value)}`,
    );
    return DEFAULT_MAPPING_RULES.tax.defaultPercent;
  }
  return text;
}

function readRemark(c: Checker, root: Plain): MappingRules['remark'] {
  const remark = c.section(root.remark, 'remark', ['template']);
  const template = c.optionalString(remark.template, 'remark.template');
  if (template !== undefined) {
    const parsed = templatePlaceholders(template);
    if ('error' in parsed) c.add('remark.template', `has a ${parsed.error}`);
  }
  return template === undefined ? {} : { template };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
