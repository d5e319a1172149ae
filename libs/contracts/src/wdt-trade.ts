import { DECIMAL_PATTERN } from './normalized-order';
import { formatWdtTime, tryParseWdtTime } from './wdt-time';

/** WDT `yyyy-MM-dd HH:mm:ss`, always Beijing time (Asia/Shanghai, +08:00). */
export const WDT_DATETIME_PATTERN = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** How WDT spells a time that is not set (an unpaid trade's `pay_time`). */
export const WDT_UNSET_TIME = '0000-00-00 00:00:00';

/**
 * One `goods_list` line of a WDT trade after `parseWdtTrade`: the fields the mapping reads, typed
 * and normalised (numbers as decimal strings, ids as strings, unset markers gone); every other field
 * is kept exactly as WDT sent it.
 */
export interface WdtTradeLine {
  rec_id: string;
  spec_no: string;
  /** Decimal string, e.g. "2.0000" or "2". */
  num: string;
  share_amount: string;
  gift_type: number;
  refund_status: number;
  /** Fraction as a decimal string ("0.1300"); absent when WDT sent none, "" or null. */
  tax_rate?: string;
  [extra: string]: unknown;
}

/** A WDT trade (`wdt.trade.query` → `trades[]`) after `parseWdtTrade`. */
export interface WdtTrade {
  trade_id: string;
  trade_no: string;
  shop_no: string;
  /** May be "" (then the mapping needs a stores.byWarehouse entry). */
  warehouse_no: string;
  trade_status: number;
  trade_time: string;
  modified: string;
  created?: string;
  pay_time?: string;
  tax_rate?: string;
  version_id?: string;
  goods_list: WdtTradeLine[];
  [extra: string]: unknown;
}

/** Why a field breaks the contract: the mapping's (and the DLQ's) reason vocabulary. */
export type WdtTradeProblemReason = 'missing_field' | 'schema_violation' | 'bad_datetime';

export interface WdtTradeProblem {
  /** `trade_no`, `goods_list.1.spec_no`, or '' for the trade itself. */
  path: string;
  reason: WdtTradeProblemReason;
  /** The rule that failed, e.g. `must be a decimal number`. */
  rule: string;
  /** The value as sent (undefined when missing). */
  value?: unknown;
}

/** A WDT trade that breaks the tolerant contract: every problem, each naming its field. */
export class WdtTradeParseError extends Error {
  /** The trade's `trade_no` when it has a usable one. */
  readonly tradeNo?: string;
  /** The trade's `modified` when it has a usable one. */
  readonly modified?: string;

  constructor(
    readonly problems: WdtTradeProblem[],
    refs: { tradeNo?: string; modified?: string } = {},
  ) {
    super(describeWdtTradeProblems(problems));
    this.name = 'WdtTradeParseError';
    this.tradeNo = refs.tradeNo;
    this.modified = refs.modified;
  }

  /** `missing_field` when any field is missing, else the first problem's reason. */
  get reason(): WdtTradeProblemReason {
    return this.problems.some((p) => p.reason === 'missing_field')
      ? 'missing_field'
      : (this.problems[0]?.reason ?? 'schema_violation');
  }
}

export type WdtTradeParseResult =
  | { readonly ok: true; readonly trade: WdtTrade }
  | { readonly ok: false; readonly error: WdtTradeParseError };

const excerpt = (text: string, max = 60): string => (text.length > max ? `${text.slice(0, max)}…` : text);

/** One sentence a person understands: what is missing, then what is wrong with which value. */
export function describeWdtTradeProblems(problems: readonly WdtTradeProblem[]): string {
  const missing = problems.filter((p) => p.reason === 'missing_field').map((p) => p.path);
  const wrong = problems
    .filter((p) => p.reason !== 'missing_field')
    .map(
      (p) =>
        `${p.path ? `${p.path} ` : ''}${p.rule}${p.value === undefined ? '' : ` (got ${excerpt(JSON.stringify(p.value) ?? typeof p.value)})`}`,
    );
  return [
    ...(missing.length > 0
      ? [`required field${missing.length > 1 ? 's' : ''} missing: ${missing.join(', ')}`]
      : []),
    ...wrong,
  ].join('; ');
}

// ---------------------------------------------------------------------------------------------
// normalisation of one value

/** "", null and undefined mean "not set" for every field (wdt-api.md). */
const isUnset = (value: unknown): boolean =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

/**
 * A JSON number as a plain decimal string through its shortest JS representation (`102.1` →
 * "102.1", `1e-7` → "0.0000001"): digits are moved, never computed, so no binary rounding enters.
 */
export function numberToDecimalString(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`${value} is not a finite number`);
  const text = String(value);
  const match = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text === '-0' ? '0' : text;
  const [, sign, whole, fraction = '', exponentText] = match;
  const exponent = Number(exponentText);
  const digits = whole + fraction;
  const point = whole.length + exponent;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** A JSON number or a numeric string → a decimal string; undefined when unset; null when not numeric. */
export function toDecimalString(value: unknown): string | undefined | null {
  if (isUnset(value)) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? numberToDecimalString(value) : null;
  if (typeof value !== 'string') return null;
  const text = value.trim().replace(/^\+/, '');
  return DECIMAL_PATTERN.test(text) ? text : null;
}

/** An integer code (status, flag) as a JSON number or a numeric string ("55", "55.0000"). */
function toInteger(value: unknown): number | undefined | null {
  const text = toDecimalString(value);
  if (text === undefined || text === null) return text;
  if (!/^-?\d+(\.0+)?$/.test(text)) return null;
  const number = Number(text.replace(/\.0+$/, ''));
  return Number.isSafeInteger(number) ? number : null;
}

/** An id or code: a non-blank string, or a JSON integer (`"trade_id": 1001`). */
function toId(value: unknown): string | undefined | null {
  if (isUnset(value)) return undefined;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : null;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  return /\s/.test(text) ? null : text;
}

/** A code that may contain spaces or Chinese (shop_no): a string or a number, trimmed. */
function toCode(value: unknown): string | undefined | null {
  if (isUnset(value)) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? numberToDecimalString(value) : null;
  return typeof value === 'string' ? value.trim() : null;
}

/** The earliest and latest epoch a numeric WDT time may be, in seconds (2000-01-01 … 2100-01-01). */
const EPOCH_SECONDS_RANGE = [946_684_800, 4_102_444_800] as const;

/**
 * A WDT time → `yyyy-MM-dd HH:mm:ss` Beijing; unset for "", null and `0000-00-00 00:00:00`. A JSON
 * number (the 旗舰版 sample sends `trade_time` as one) is read as Unix seconds, or milliseconds when
 * it is 1000 times larger (**decision**, docs/wdt.md). Returns null for anything unreadable.
 */
export function toWdtTime(value: unknown): string | undefined | null {
  if (isUnset(value)) return undefined;
  if (typeof value === 'number') {
    const [low, high] = EPOCH_SECONDS_RANGE;
    if (!Number.isInteger(value)) return null;
    if (value >= low && value < high) return formatWdtTime(value * 1000);
    if (value >= low * 1000 && value < high * 1000) return formatWdtTime(value);
    return null;
  }
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (text === WDT_UNSET_TIME) return undefined;
  if (/^\d{10}$|^\d{13}$/.test(text)) return toWdtTime(Number(text));
  return tryParseWdtTime(text) === undefined ? null : text;
}

// ---------------------------------------------------------------------------------------------
// the contract

type Plain = Record<string, unknown>;
const isPlainObject = (value: unknown): value is Plain =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** What each read field needs: its normaliser, whether it is required and the rule's wording. */
interface FieldRule {
  normalise: (value: unknown) => unknown;
  required: boolean;
  rule: string;
  /** A bad time is `bad_datetime`, anything else `schema_violation`. */
  reason?: WdtTradeProblemReason;
}

/** A field rule builder: the normaliser and the wording of one kind of field, required or not. */
const fieldRule =
  (normalise: FieldRule['normalise'], rule: string, reason?: WdtTradeProblemReason) =>
  (required: boolean): FieldRule => ({ normalise, required, rule, ...(reason ? { reason } : {}) });
const decimalRule = fieldRule(
  toDecimalString,
  'must be a decimal number (a JSON number or a numeric string)',
);
const integerRule = fieldRule(toInteger, 'must be an integer (a JSON number or a numeric string)');
const idRule = fieldRule(toId, 'must be an id without spaces (a string or a JSON integer)');
const timeRule = fieldRule(
  toWdtTime,
  'must be a real WDT time yyyy-MM-dd HH:mm:ss (Beijing)',
  'bad_datetime',
);

/**
 * The fields the mapping reads, and only those (docs/wdt.md "Tolerant source contract"). Every other
 * field is kept as sent and never checked: a problem in a field the mapping never reads must not
 * dead-letter a trade.
 */
const TRADE_RULES: Record<string, FieldRule> = {
  trade_id: idRule(true),
  trade_no: idRule(true),
  shop_no: { normalise: toCode, required: true, rule: 'must be a shop code (a string)' },
  trade_status: integerRule(true),
  trade_time: timeRule(true),
  modified: timeRule(true),
  created: timeRule(false),
  pay_time: timeRule(false),
  tax_rate: decimalRule(false),
  version_id: idRule(false),
};

const LINE_RULES: Record<string, FieldRule> = {
  rec_id: idRule(true),
  spec_no: { normalise: toCode, required: true, rule: 'must be a SKU code (a string)' },
  num: decimalRule(true),
  share_amount: decimalRule(true),
  gift_type: integerRule(true),
  refund_status: integerRule(true),
  tax_rate: decimalRule(false),
};

function applyRules(
  raw: Plain,
  rules: Record<string, FieldRule>,
  prefix: string,
  problems: WdtTradeProblem[],
): Plain {
  if (Object.prototype.hasOwnProperty.call(raw, '__proto__')) {
    problems.push({ path: prefix, reason: 'schema_violation', rule: 'must not have a "__proto__" key' });
  }
  const out: Plain = {};
  for (const [key, value] of Object.entries(raw)) if (key !== '__proto__') out[key] = value;
  for (const [field, rule] of Object.entries(rules)) {
    const path = prefix ? `${prefix}.${field}` : field;
    const value = raw[field];
    const normalised = rule.normalise(value);
    if (normalised === null) {
      problems.push({ path, reason: rule.reason ?? 'schema_violation', rule: rule.rule, value });
      continue;
    }
    if (normalised === undefined) {
      if (rule.required) problems.push({ path, reason: 'missing_field', rule: 'is required' });
      delete out[field];
      continue;
    }
    out[field] = normalised;
  }
  return out;
}

/**
 * THE tolerant parser of a WDT trade, for the extractor, the mapping and the reconciliation alike.
 * Numbers may come as JSON numbers or numeric strings (normalised to decimal strings), ids as
 * strings or integers; "", null and `0000-00-00 00:00:00` mean unset; unknown fields are kept as
 * sent. Only the fields the mapping reads are validated. Never throws.
 */
export function parseWdtTrade(raw: unknown): WdtTradeParseResult {
  if (!isPlainObject(raw)) {
    return {
      ok: false,
      error: new WdtTradeParseError([
        { path: '', reason: 'schema_violation', rule: 'message is not a JSON object' },
      ]),
    };
  }
  const problems: WdtTradeProblem[] = [];
  const trade = applyRules(raw, TRADE_RULES, '', problems);
  // warehouse_no: read by the mapping, may be empty (then a stores.byWarehouse entry is needed)
  const warehouse = raw.warehouse_no;
  if (isUnset(warehouse)) trade.warehouse_no = '';
  else {
    const code = toCode(warehouse);
    if (code === null || code === undefined)
      problems.push({
        path: 'warehouse_no',
        reason: 'schema_violation',
        rule: 'must be a warehouse code (a string)',
        value: warehouse,
      });
    else trade.warehouse_no = code;
  }
  const lines = raw.goods_list;
  if (lines === undefined || lines === null) {
    problems.push({ path: 'goods_list', reason: 'missing_field', rule: 'is required' });
  } else if (!Array.isArray(lines)) {
    problems.push({
      path: 'goods_list',
      reason: 'schema_violation',
      rule: 'must be a list of lines',
      value: lines,
    });
  } else {
    trade.goods_list = lines.map((line: unknown, index) => {
      const path = `goods_list.${index}`;
      if (!isPlainObject(line)) {
        problems.push({ path, reason: 'schema_violation', rule: 'must be a line object', value: line });
        return line;
      }
      return applyRules(line, LINE_RULES, path, problems);
    });
  }
  const tradeNo = typeof trade.trade_no === 'string' ? trade.trade_no : undefined;
  const modified = typeof trade.modified === 'string' ? trade.modified : undefined;
  if (problems.length > 0)
    return { ok: false, error: new WdtTradeParseError(problems, { tradeNo, modified }) };
  return { ok: true, trade: trade as WdtTrade };
}

/**
 * The `trade_no` of a raw trade as the parser would read it, even when the rest is broken: how a
 * trade that cannot be parsed is still accounted for.
 */
export function wdtTradeNoOf(raw: unknown): string | undefined {
  if (!isPlainObject(raw)) return undefined;
  const id = toId(raw.trade_no);
  return id === null ? undefined : id;
}

/** The `modified` of a raw trade as the parser would read it, or undefined. */
export function wdtModifiedOf(raw: unknown): string | undefined {
  if (!isPlainObject(raw)) return undefined;
  const time = toWdtTime(raw.modified);
  return time === null ? undefined : time;
}

/** The `trade_status` of a raw trade as the parser would read it, or undefined. */
export function wdtTradeStatusOf(raw: unknown): number | undefined {
  if (!isPlainObject(raw)) return undefined;
  const status = toInteger(raw.trade_status);
  return status === null ? undefined : status;
}
