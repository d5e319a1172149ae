import { Decimal } from 'decimal.js';
import { REFUSAL, Refused } from './field-check';
import { IdSource, unitIdsOf, type SandboxState } from './sandbox-state';

/** The sales orders of one account set, stored family-neutral and rendered per family. */

export type Family = 'v1' | 'v2';

export interface LineDraft {
  entryId?: string;
  materialId: string;
  stockId: string;
  qty: string;
  unitId: string;
  taxPrice?: string;
  price?: string;
  cess?: string;
  isFree?: boolean;
  comment?: string;
}

export interface OrderDraft {
  id?: string;
  billNo: string;
  billDate: string;
  customerId: string;
  remark?: string;
  billSource?: string;
  /** Custom header fields by their tenant key (V1: top-level keys; V2: the `custom_field` map). */
  custom: Record<string, string>;
  lines: LineDraft[];
}

export type StoredLine = LineDraft & { entryId: string };

export interface NeutralOrder extends Omit<OrderDraft, 'id' | 'lines'> {
  id: string;
  lines: StoredLine[];
  /** The family that created the bill. */
  family: Family;
  /** The last save's body (in the family that sent it), without `id`. */
  lastBody: Record<string, unknown>;
  lastFamily: Family;
  createdAt: string;
  modifiedAt: string;
  modifications: number;
  audited: boolean;
}

/** A family's field names, so that a refusal names the field the caller sent. */
export interface FamilyNames {
  billNo: string;
  customer: string;
  material: string;
  stock: string;
  unit: string;
  entries: string;
  /**
   * v1: each line with an entry id updates it, a line without one is new;
   * v2: all lines carry ids (update) or none does (replace all); mixed is refused.
   */
  lineMode: Family;
  /** A stored entry in the answers: answer field → where it comes from, in answer order. */
  entryView: Record<string, EntryField>;
  /** A bill in list answers (and the head of its detail): answer field → where it comes from. */
  listView: Record<string, ListField>;
  /** The header fields a detail answer adds to the list row. */
  detailHead(order: NeutralOrder): Record<string, unknown>;
}

export type SaveResult = { id: string; created: boolean; order: NeutralOrder };

/** Every id must be of its kind: a customer id for the customer, a material's own unit, … */
export function checkReferences(draft: OrderDraft, master: SandboxState, n: FamilyNames): void {
  if (!master.customerById(draft.customerId))
    throw new Refused(REFUSAL.customer, `客户不存在: ${n.customer} ${draft.customerId}`, n.customer);
  draft.lines.forEach((line, index) => {
    const at = `${n.entries}[${index}]`;
    const material = master.materialById(line.materialId);
    if (!material)
      throw new Refused(
        REFUSAL.material,
        `商品不存在: ${at}.${n.material} ${line.materialId}`,
        `${at}.${n.material}`,
      );
    if (!master.storeById(line.stockId))
      throw new Refused(REFUSAL.store, `仓库不存在: ${at}.${n.stock} ${line.stockId}`, `${at}.${n.stock}`);
    if (!unitIdsOf(material).includes(line.unitId))
      throw new Refused(
        REFUSAL.unit,
        `${at}.${n.unit} ${line.unitId} 不是商品 ${material.number} 的单位`,
        `${at}.${n.unit}`,
      );
    if (!new Decimal(line.qty).gt(0))
      throw new Refused(REFUSAL.invalidField, `${at}.qty 必须大于 0`, `${at}.qty`);
    if (line.cess !== undefined && (new Decimal(line.cess).lt(0) || new Decimal(line.cess).gt(100)))
      throw new Refused(REFUSAL.invalidField, `${at}.cess 是百分数（0–100）`, `${at}.cess`);
  });
}

export class OrderBook {
  private readonly orders = new Map<string, NeutralOrder>();
  private readonly billIndex = new Map<string, string>();

  constructor(
    private readonly orderIds: IdSource,
    private readonly entryIds: IdSource,
    private readonly now: () => number,
  ) {}

  list(): NeutralOrder[] {
    return [...this.orders.values()];
  }
  get(id: string): NeutralOrder | undefined {
    return this.orders.get(id);
  }
  byBillNo(billNo: string): NeutralOrder | undefined {
    const id = this.billIndex.get(billNo);
    return id === undefined ? undefined : this.orders.get(id);
  }
  audit(id: string): NeutralOrder | undefined {
    const order = this.orders.get(id);
    if (order) order.audited = true;
    return order;
  }
  clear(): void {
    this.orders.clear();
    this.billIndex.clear();
  }

  /** Create (no `id`) or modify; validated references first. Nothing is stored on a refusal. */
  save(draft: OrderDraft, family: Family, body: Record<string, unknown>, names: FamilyNames): SaveResult {
    const { id: _id, ...lastBody } = body;
    return draft.id === undefined
      ? this.create(draft, family, lastBody, names)
      : this.modify(draft, draft.id, family, lastBody, names);
  }

  private create(
    draft: OrderDraft,
    family: Family,
    lastBody: Record<string, unknown>,
    n: FamilyNames,
  ): SaveResult {
    if (this.billIndex.has(draft.billNo))
      throw new Refused(REFUSAL.duplicateBillNo, `单据编号已存在: ${draft.billNo}`, n.billNo);
    const carried = draft.lines.findIndex((line) => line.entryId !== undefined);
    if (carried >= 0)
      throw new Refused(
        REFUSAL.entry,
        `新增单据的分录不能带 id: ${n.entries}[${carried}].id`,
        `${n.entries}[${carried}].id`,
      );
    const at = new Date(this.now()).toISOString();
    const { id: _none, lines, ...header } = draft;
    const order: NeutralOrder = {
      ...header,
      id: this.orderIds.take(),
      lines: lines.map((line) => ({ ...line, entryId: this.entryIds.take() })),
      family,
      lastFamily: family,
      lastBody,
      createdAt: at,
      modifiedAt: at,
      modifications: 0,
      audited: false,
    };
    this.orders.set(order.id, order);
    this.billIndex.set(order.billNo, order.id);
    return { id: order.id, created: true, order };
  }

  private modify(
    draft: OrderDraft,
    id: string,
    family: Family,
    lastBody: Record<string, unknown>,
    n: FamilyNames,
  ): SaveResult {
    const order = this.orders.get(id);
    if (!order) throw new Refused(REFUSAL.unknownBill, `单据不存在: ${id}`, 'id');
    if (order.audited) throw new Refused(REFUSAL.audited, '单据已审核，不能修改', 'id');
    const holder = this.billIndex.get(draft.billNo);
    if (holder !== undefined && holder !== id)
      throw new Refused(REFUSAL.duplicateBillNo, `单据编号已存在: ${draft.billNo}`, n.billNo);
    const lines = this.resolveEntries(order, draft.lines, n);
    const { id: _same, lines: _sent, ...header } = draft;
    this.billIndex.delete(order.billNo);
    this.billIndex.set(draft.billNo, id);
    Object.assign(order, {
      remark: undefined,
      billSource: undefined,
      ...header,
      lines,
      lastBody,
      lastFamily: family,
      modifiedAt: new Date(this.now()).toISOString(),
      modifications: order.modifications + 1,
    });
    return { id, created: false, order };
  }

  /** Lines of a modify: sent entry ids must be entries of THIS bill; entries not sent are removed. */
  private resolveEntries(order: NeutralOrder, lines: LineDraft[], n: FamilyNames): StoredLine[] {
    const withId = lines.filter((line) => line.entryId !== undefined).length;
    if (n.lineMode === 'v2' && withId > 0 && withId < lines.length)
      throw new Refused(
        REFUSAL.entry,
        `${n.entries}: 修改时分录 id 要么全部传（更新）要么全部不传（整单替换），不能混用`,
        `${n.entries}`,
      );
    const own = new Set(order.lines.map((line) => line.entryId));
    const used = new Set<string>();
    return lines.map((line, index) => {
      if (line.entryId === undefined) return { ...line, entryId: this.entryIds.take() };
      const at = `${n.entries}[${index}].id`;
      if (!own.has(line.entryId))
        throw new Refused(REFUSAL.entry, `${at} ${line.entryId} 不是本单据的分录`, at);
      if (used.has(line.entryId)) throw new Refused(REFUSAL.entry, `${at} ${line.entryId} 重复`, at);
      used.add(line.entryId);
      return { ...line, entryId: line.entryId };
    });
  }
}

/** Σ qty × tax price, as a decimal string. */
export const totalAmount = (order: NeutralOrder): string =>
  order.lines
    .reduce(
      (sum, line) => sum.plus(new Decimal(line.qty).times(new Decimal(line.taxPrice ?? '0'))),
      new Decimal(0),
    )
    .toFixed(2);

/** A record without its undefined fields (the answers leave unset fields out). */
export const defined = (record: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));

/** Where a family's entry field comes from: a stored line's field, or the material's number. */
export type EntryField = keyof StoredLine | 'materialNumber';

/** A stored bill's entries in one family's names. */
export const entriesOf = (
  order: NeutralOrder,
  master: { materialById(id: string): { number: string } | undefined },
  { entryView }: FamilyNames,
) =>
  order.lines.map((line) => {
    const materialNumber = master.materialById(line.materialId)?.number ?? '';
    return defined(
      Object.fromEntries(
        Object.entries(entryView).map(([name, from]) => [
          name,
          from === 'materialNumber' ? materialNumber : line[from],
        ]),
      ),
    );
  });

/** Where a family's list-row field comes from. */
export type ListField =
  | 'id'
  | 'billNo'
  | 'billDate'
  | 'billStatus'
  | 'customerId'
  | 'customerNumber'
  | 'customerName'
  | 'totalAmount'
  | 'createdAt';

/** A stored bill as one row of a list answer, in one family's names and order. */
export const listRowOf = (
  order: NeutralOrder,
  master: { customerById(id: string): { number: string; name: string } | undefined },
  { listView }: FamilyNames,
): Record<string, string> => {
  const customer = master.customerById(order.customerId);
  const source: Record<ListField, string> = {
    id: order.id,
    billNo: order.billNo,
    billDate: order.billDate,
    billStatus: order.audited ? 'C' : 'Z',
    customerId: order.customerId,
    customerNumber: customer?.number ?? '',
    customerName: customer?.name ?? '',
    totalAmount: totalAmount(order),
    createdAt: order.createdAt,
  };
  return Object.fromEntries(Object.entries(listView).map(([name, from]) => [name, source[from]]));
};

/** A stored bill's detail: its list row, the detail's header fields, then its entries (undefined fields left out). */
export const detailOf = (order: NeutralOrder, master: SandboxState, names: FamilyNames) =>
  defined({
    ...listRowOf(order, master, names),
    ...names.detailHead(order),
    [names.entries]: entriesOf(order, master, names),
  });
