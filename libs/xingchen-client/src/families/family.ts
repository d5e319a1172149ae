import { type Logger } from '@app/observability';
import { type FamilyWire, type Reading, type WireCall, type XingchenCore } from '../core';
import { asRecord, bool, enabled, int, records, str, type Json } from '../json';
import {
  type SalesOrderDraft,
  type SalesOrderDraftLine,
  type XingchenApiFamily,
  type XingchenSalesOrder,
  type XingchenSalesOrderLine,
  type XingchenSalesOrderSummary,
} from '../sales-order';
import { TokenManager, type IssuedToken } from '../token-manager';
import { XingchenAmbiguousError, XingchenBusinessError, type XingchenOperation } from '../xingchen-errors';
import { type QueryParams } from '../xingchen-signer';
import {
  type SaveResult,
  type XingchenCustomer,
  type XingchenMaterial,
  type XingchenStore,
} from '../xingchen.types';

export interface SalesOrderPage {
  rows: XingchenSalesOrderSummary[];
  totalPages: number;
  count: number;
}

/** What each family implements in its own module; the facade XingchenClient delegates to one of them. */
export interface XingchenFamilyClient {
  readonly family: XingchenApiFamily;
  /** The family's token (V1 access_token, V2 app-token): one request in flight, shared by every caller. */
  readonly tokens: TokenManager;
  saveSalesOrder(draft: SalesOrderDraft): Promise<SaveResult>;
  findSalesOrderByBillNo(billNo: string): Promise<XingchenSalesOrderSummary | null>;
  getSalesOrder(id: string): Promise<XingchenSalesOrder | null>;
  listSalesOrders(page: number, pageSize: number): Promise<SalesOrderPage>;
  findCustomer(number: string): Promise<XingchenCustomer | null>;
  findMaterial(number: string): Promise<XingchenMaterial | null>;
  findStore(number: string): Promise<XingchenStore | null>;
}

/** Several stored bills share one number: the first is used and the rest is worth a warning. */
export const AUDITED_STATUSES = new Set(['C', '1', 'true']);
export const auditedFrom = (status: unknown): boolean =>
  status === true || status === 1 || (typeof status === 'string' && AUDITED_STATUSES.has(status));

/** The rows of a sales-order list answer, read with the family's row reader (unreadable rows dropped). */
export function readSalesOrderPage(
  data: Json | undefined,
  readRow: (row: Json) => XingchenSalesOrderSummary | undefined,
): SalesOrderPage {
  const rows = records(data?.rows)
    .map(readRow)
    .filter((row): row is XingchenSalesOrderSummary => row !== undefined);
  return {
    rows,
    totalPages: Math.max(1, int(data?.total_page ?? data?.totalpage ?? data?.totalPage, 1)),
    count: int(data?.count, rows.length),
  };
}

/**
 * The list row whose bill number is exactly `billNo` (the list filters are fuzzy or partial);
 * several are worth a warning, and the first is used.
 */
export function exactBill(
  page: SalesOrderPage,
  billNo: string,
  logger?: Logger,
): XingchenSalesOrderSummary | null {
  const matches = page.rows.filter((row) => row.billNo === billNo);
  if (matches.length > 1)
    logger?.warn(
      { operation: 'sal_order_list', matches: matches.length },
      'several xingchen orders share one bill number',
    );
  return matches[0] ?? null;
}

/** A detail by id that Xingchen refuses (no such bill, or any other business refusal) reads as absent. */
export async function absentWhenRefused<T>(read: Promise<T>): Promise<T | null> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof XingchenBusinessError) return null;
    throw error;
  }
}

/** A line field each family names its own way on the wire (the entry `id` is `id` in both). */
export type LineField = Exclude<keyof SalesOrderDraftLine, 'entryId'>;

/** A line's neutral field → the family's wire key, declared in the order the family sends them. */
export type LineWireKeys = { readonly [field in LineField]: string };

/** The wire key of each line field (save body `material_entity[]` and detail lines), side by side. */
const LINE_KEYS: Record<LineField, Record<XingchenApiFamily, string>> = {
  materialId: { v1: 'materialid_id', v2: 'material_id' },
  storeId: { v1: 'stockid_id', v2: 'stock_id' },
  qty: { v1: 'qty', v2: 'qty' },
  unitId: { v1: 'unit_id', v2: 'unit_id' },
  taxPrice: { v1: 'taxprice', v2: 'tax_price' },
  isFree: { v1: 'is_free', v2: 'is_free' },
  taxPercent: { v1: 'cess', v2: 'cess' },
};
/** The order of the line fields in each family's save body (V2 sends cess before is_free). */
const LINE_ORDER: Record<XingchenApiFamily, readonly LineField[]> = {
  v1: ['materialId', 'storeId', 'qty', 'unitId', 'taxPrice', 'isFree', 'taxPercent'],
  v2: ['materialId', 'storeId', 'qty', 'unitId', 'taxPrice', 'taxPercent', 'isFree'],
};

/** The family's line keys, in the order of its save body. */
export const lineWireKeys = (family: XingchenApiFamily): LineWireKeys =>
  Object.fromEntries(LINE_ORDER[family].map((field) => [field, LINE_KEYS[field][family]])) as LineWireKeys;

/** One line of a save body in the family's wire names; `withId`: the entry id goes first. */
export function lineBody(line: SalesOrderDraftLine, keys: LineWireKeys, withId: boolean): Json {
  const body: Json = withId ? { id: line.entryId } : {};
  for (const [field, key] of Object.entries(keys) as Array<[keyof LineWireKeys, string]>)
    body[key] = line[field];
  return body;
}

/** The header fields each family names its own way (the bill `id` and `remark` are the same keys). */
export interface HeaderWireKeys {
  readonly billNo: string;
  readonly billDate: string;
  readonly customerId: string;
}

/** The header of a save body: `id` (modify only), bill number, date, customer, remark when set. */
export function headerBody(draft: SalesOrderDraft, keys: HeaderWireKeys): Json {
  const body: Json = {};
  if (draft.id) body.id = draft.id;
  body[keys.billNo] = draft.billNo;
  body[keys.billDate] = draft.billDate;
  body[keys.customerId] = draft.customerId;
  if (draft.remark !== undefined) body.remark = draft.remark;
  return body;
}

/** What differs between the families' detail answers: header keys, line keys, custom fields, status. */
export interface DetailWire {
  readonly header: HeaderWireKeys;
  readonly lines: LineWireKeys;
  /** The record's custom-field candidates (key, value as sent); the text values are kept. */
  customFields(record: Json): Array<[string, unknown]>;
  status(record: Json): { audited: boolean; status: string };
}

/** A detail answer's `data` in neutral names, read with the family's keys; null when it is not a bill. */
export function readDetail(data: unknown, wire: DetailWire): XingchenSalesOrder | null {
  const record = asRecord(data);
  const id = str(record?.id);
  if (!record || !id) return null;
  const customFields: Record<string, string> = {};
  for (const [key, value] of wire.customFields(record)) {
    const text = str(value);
    if (text !== undefined) customFields[key] = text;
  }
  const keys = wire.lines;
  const lines: XingchenSalesOrderLine[] = records(record.material_entity).map((line) => ({
    entryId: str(line.id) ?? '',
    materialId: str(line[keys.materialId]) ?? '',
    storeId: str(line[keys.storeId]) ?? '',
    qty: str(line[keys.qty]) ?? '0',
    unitId: str(line[keys.unitId]) ?? '',
    taxPrice: str(line[keys.taxPrice]) ?? '0',
    isFree: bool(line[keys.isFree]),
    taxPercent: str(line[keys.taxPercent]) ?? '0',
  }));
  const remark = str(record.remark);
  return {
    id,
    billNo: str(record[wire.header.billNo]) ?? '',
    billDate: str(record[wire.header.billDate]) ?? '',
    customerId: str(record[wire.header.customerId]) ?? '',
    ...wire.status(record),
    ...(remark !== undefined ? { remark } : {}),
    customFields,
    lines,
  };
}

/** A sales-order list row in neutral names; undefined without id or bill number. */
export function readListRow(
  row: Json,
  billNoKey: string,
  status: unknown,
): XingchenSalesOrderSummary | undefined {
  const id = str(row.id);
  const billNo = str(row[billNoKey]);
  if (!id || !billNo) return undefined;
  return { id, billNo, ...(status !== undefined ? { audited: auditedFrom(status) } : {}) };
}

/** The first id of a save answer's `data[key]`; undefined when absent. */
export function firstSavedId(data: unknown, key: string): string | undefined {
  const ids = asRecord(data)?.[key];
  return Array.isArray(ids) ? str(ids[0]) : undefined;
}

/** A save that Xingchen accepted without the saved id: it may have been applied. */
export const savedWithoutId = (field: string): XingchenAmbiguousError =>
  new XingchenAmbiguousError(
    `xingchen sal_order_save: success answer without data.${field}[0]; the save may have been applied`,
    { reason: 'ambiguous_answer' },
  );

/** The row of a master-data list answer whose `number` is exactly `number` (the `search` filter is fuzzy). */
export const exactNumberRow = (data: Json | undefined, number: string): Json | null =>
  records(data?.rows).find((row) => str(row.number) === number && str(row.id) !== undefined) ?? null;

/** A customer's or store's id, number, name and enabled flag. */
export const readBasic = (data: Json, number: string): XingchenCustomer => ({
  id: str(data.id)!,
  number: str(data.number) ?? number,
  name: str(data.name) ?? '',
  enabled: enabled(data.enable),
});

/** A material: its basic fields, its base unit (`units.base`, required) and its distinct fixed units. */
export function readMaterial(
  core: XingchenCore,
  basic: XingchenCustomer,
  detail: Json,
  units: { base: string; fixed: readonly string[] },
): XingchenMaterial {
  const baseUnitId = str(detail[units.base]);
  if (!baseUnitId) throw core.malformed('material_detail', `material without ${units.base}`);
  const unitIds = [baseUnitId];
  for (const key of units.fixed) {
    const unit = str(detail[key]);
    if (unit && !unitIds.includes(unit)) unitIds.push(unit);
  }
  return { ...basic, baseUnitId, unitIds };
}

export type MasterKind = 'customer' | 'material' | 'store';

/** Rows per look-up page (wire decision: the sandbox serves at most 100). */
export const LOOKUP_PAGE_SIZE = 100;

/**
 * What both families do the same way: one token manager over the family's own token request, and
 * customers and stores read from the family's master-data record.
 */
export abstract class FamilyBase implements FamilyWire {
  abstract readonly family: XingchenApiFamily;
  readonly tokens: TokenManager;

  protected constructor(protected readonly core: XingchenCore) {
    this.tokens = new TokenManager(() => this.issueToken(), {
      refreshMarginMs: core.config.tokenRefreshMarginMs,
      now: () => core.clock.now(),
      failureHoldMs: core.failureHoldMs,
    });
  }

  abstract decorate(
    call: WireCall,
    token: string | undefined,
  ): { headers: Record<string, string>; query: QueryParams };

  abstract read(operation: XingchenOperation, body: Json): Reading;

  /** The family's token request (V1 user login, V2 app-token). */
  protected abstract issueToken(): Promise<IssuedToken>;

  /** One page of the sales-order list answer's `data`; `billNo` filters it (fuzzy or partial). */
  protected abstract salesOrderList(
    page: number,
    pageSize: number,
    billNo?: string,
  ): Promise<Json | undefined>;

  /** A detail by id in neutral names (a refusal throws). */
  protected abstract salesOrderDetail(id: string): Promise<XingchenSalesOrder | null>;

  /** A row of the family's sales-order list in neutral names. */
  protected abstract readListRow(row: Json): XingchenSalesOrderSummary | undefined;

  /** The master-data record whose number is exactly `number`; null when there is none. */
  protected abstract masterRecord(kind: MasterKind, number: string): Promise<Json | null>;

  token(): Promise<string> {
    return this.tokens.get();
  }

  /** A call before any token (login, account set, authorization, app-token): no quota, no token. */
  protected handshake(
    operation: XingchenOperation,
    method: WireCall['method'],
    path: string,
    query: QueryParams,
  ): Promise<unknown> {
    return this.core.send(this, { operation, method, path, query, business: false });
  }

  invalidate(token: string): void {
    this.tokens.invalidate(token);
  }

  async findSalesOrderByBillNo(billNo: string): Promise<XingchenSalesOrderSummary | null> {
    const data = await this.salesOrderList(1, LOOKUP_PAGE_SIZE, billNo);
    return exactBill(this.page(data), billNo, this.core.logger);
  }

  /** Any refusal of a detail by id ("单据不存在", 1001 in the V2 sandbox, whatever elsewhere): no such bill. */
  getSalesOrder(id: string): Promise<XingchenSalesOrder | null> {
    return absentWhenRefused(this.salesOrderDetail(id));
  }

  async listSalesOrders(page: number, pageSize: number): Promise<SalesOrderPage> {
    return this.page(await this.salesOrderList(page, pageSize));
  }

  private page(data: Json | undefined): SalesOrderPage {
    return readSalesOrderPage(data, (row) => this.readListRow(row));
  }

  async findCustomer(number: string): Promise<XingchenCustomer | null> {
    const data = await this.masterRecord('customer', number);
    return data && readBasic(data, number);
  }

  async findStore(number: string): Promise<XingchenStore | null> {
    const data = await this.masterRecord('store', number);
    return data && readBasic(data, number);
  }
}
