import { Decimal } from 'decimal.js';
import {
  type MasterDataFixture,
  type SandboxMaterial,
  type SandboxRecord,
  type SandboxUnit,
} from './master-data';

/** One stored sales order, as `GET /__sandbox/orders` shows it. */
export interface StoredOrder {
  id: string;
  billno: string;
  /** The body of the last save, without `id`. */
  body: Record<string, unknown>;
  createdAt: string;
  modifiedAt: string;
  modifications: number;
  audited: boolean;
}

export type SaveOutcome =
  | { ok: true; id: string; created: boolean }
  | { ok: false; errcode: number; description: string; field?: string };

export type MasterKind = 'customers' | 'materials' | 'stores';

const DECIMAL = /^-?\d+(\.\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const HEADER_FIELDS = new Set(['id', 'billno', 'billdate', 'customerid_id', 'remark', 'material_entity']);
const LINE_FIELDS = new Set([
  'id',
  'materialid_id',
  'stockid_id',
  'qty',
  'unit_id',
  'taxprice',
  'is_free',
  'cess',
  'remark',
]);
const CUSTOM_FIELD = /^custom_field[0-9a-z]+(_number|_id|_name)?$/;

const validDate = (text: string): boolean => {
  const m = DATE.exec(text);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return (
    date.getUTCFullYear() === Number(m[1]) &&
    date.getUTCMonth() === Number(m[2]) - 1 &&
    date.getUTCDate() === Number(m[3])
  );
};

const reject = (errcode: number, description: string, field?: string): SaveOutcome => ({
  ok: false,
  errcode,
  description,
  field,
});

/** Master data and sales orders of one account set. Single-threaded: check-and-apply never interleaves. */
export class SandboxState {
  readonly customers = new Map<string, SandboxRecord>();
  readonly stores = new Map<string, SandboxRecord>();
  readonly materials = new Map<string, SandboxMaterial>();
  private readonly ids = {
    customers: new Map<string, SandboxRecord>(),
    materials: new Map<string, SandboxMaterial>(),
    stores: new Map<string, SandboxRecord>(),
  };
  private readonly units = new Map<string, SandboxUnit>();
  private readonly orders = new Map<string, StoredOrder>();
  private readonly billIndex = new Map<string, string>();
  private nextId = { customers: 1, materials: 1, stores: 1, units: 1, orders: 1 };

  constructor(
    fixture: MasterDataFixture,
    private readonly now: () => number = Date.now,
  ) {
    this.loadMasterData(fixture);
  }

  private newId(kind: keyof SandboxState['nextId']): string {
    const prefix = { customers: '11', materials: '12', stores: '13', units: '14', orders: '20' }[kind];
    return `${prefix}${String(this.nextId[kind]++).padStart(15, '0')}`;
  }

  private unit(name: string): SandboxUnit {
    let unit = this.units.get(name);
    if (!unit) {
      unit = { id: this.newId('units'), name };
      this.units.set(name, unit);
    }
    return unit;
  }

  /** Adds master data; an existing number is replaced by a record with a NEW id (the old id is gone). */
  loadMasterData(fixture: Partial<MasterDataFixture>): void {
    for (const c of fixture.customers ?? []) {
      this.put('customers', { id: this.newId('customers'), number: c.number, name: c.name, enable: '1' });
    }
    for (const s of fixture.stores ?? []) {
      this.put('stores', { id: this.newId('stores'), number: s.number, name: s.name, enable: '1' });
    }
    for (const m of fixture.materials ?? []) {
      this.put('materials', {
        id: this.newId('materials'),
        number: m.number,
        name: m.name,
        enable: '1',
        baseUnit: this.unit(m.unit),
        extraUnits: (m.extraUnits ?? []).slice(0, 3).map((name) => this.unit(name)),
      });
    }
  }

  private put(kind: 'customers' | 'stores', record: SandboxRecord): void;
  private put(kind: 'materials', record: SandboxMaterial): void;
  private put(kind: MasterKind, record: SandboxRecord | SandboxMaterial): void {
    this.removeMasterData(kind, record.number);
    (this[kind] as Map<string, SandboxRecord>).set(record.number, record);
    (this.ids[kind] as Map<string, SandboxRecord>).set(record.id, record);
  }

  removeMasterData(kind: MasterKind, number: string): boolean {
    const old = this[kind].get(number);
    if (!old) return false;
    this[kind].delete(number);
    this.ids[kind].delete(old.id);
    return true;
  }

  customerDetail(number: string) {
    return this.customers.get(number);
  }

  storeDetail(number: string) {
    return this.stores.get(number);
  }

  materialDetail(number: string) {
    const m = this.materials.get(number);
    return m && materialView(m);
  }

  listOrders(): StoredOrder[] {
    return [...this.orders.values()];
  }

  order(id: string): StoredOrder | undefined {
    return this.orders.get(id);
  }

  orderByBillNo(billno: string): StoredOrder | undefined {
    const id = this.billIndex.get(billno);
    return id === undefined ? undefined : this.orders.get(id);
  }

  audit(id: string): StoredOrder | undefined {
    const order = this.orders.get(id);
    if (order) order.audited = true;
    return order;
  }

  clearOrders(): void {
    this.orders.clear();
    this.billIndex.clear();
  }

  /** Validates and applies one `sal_order_save` body (create, or modify with `id`). */
  save(input: unknown): SaveOutcome {
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      return reject(2001, '请求体必须是 JSON 对象');
    const body = input as Record<string, unknown>;
    for (const key of Object.keys(body)) {
      if (!HEADER_FIELDS.has(key) && !CUSTOM_FIELD.test(key)) return reject(2001, `未知字段 ${key}`, key);
      if (CUSTOM_FIELD.test(key) && typeof body[key] !== 'string')
        return reject(2001, `字段 ${key} 必须是字符串`, key);
    }
    const { id, billno, billdate, customerid_id: customerId, remark, material_entity: lines } = body;
    if (id !== undefined && (typeof id !== 'string' || id === ''))
      return reject(2001, 'id 必须是非空字符串', 'id');
    if (typeof billno !== 'string' || billno.trim() === '') return reject(2001, 'billno 必填', 'billno');
    if (typeof billdate !== 'string' || !validDate(billdate))
      return reject(2001, 'billdate 必须是 yyyy-MM-dd', 'billdate');
    if (typeof customerId !== 'string' || customerId === '')
      return reject(2001, 'customerid_id 必填（字符串）', 'customerid_id');
    if (!this.ids.customers.get(customerId))
      return reject(2002, `客户不存在: ${customerId}`, 'customerid_id');
    if (remark !== undefined && typeof remark !== 'string')
      return reject(2001, 'remark 必须是字符串', 'remark');
    if (!Array.isArray(lines) || lines.length === 0)
      return reject(2001, 'material_entity 至少一行', 'material_entity');
    for (const [index, raw] of lines.entries()) {
      const at = `material_entity[${index}]`;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
        return reject(2001, `${at} 必须是对象`, at);
      const line = raw as Record<string, unknown>;
      for (const key of Object.keys(line)) {
        if (!LINE_FIELDS.has(key) && !CUSTOM_FIELD.test(key))
          return reject(2001, `${at} 未知字段 ${key}`, `${at}.${key}`);
      }
      if (typeof line.materialid_id !== 'string' || line.materialid_id === '')
        return reject(2001, `${at}.materialid_id 必填（字符串）`, `${at}.materialid_id`);
      const material = this.ids.materials.get(line.materialid_id);
      if (!material) return reject(2003, `商品不存在: ${line.materialid_id}`, `${at}.materialid_id`);
      if (typeof line.stockid_id !== 'string' || line.stockid_id === '')
        return reject(2001, `${at}.stockid_id 必填（字符串）`, `${at}.stockid_id`);
      if (!this.ids.stores.get(line.stockid_id))
        return reject(2004, `仓库不存在: ${line.stockid_id}`, `${at}.stockid_id`);
      if (typeof line.qty !== 'string' || !DECIMAL.test(line.qty))
        return reject(2001, `${at}.qty 必须是数字字符串`, `${at}.qty`);
      if (!new Decimal(line.qty).gt(0)) return reject(2001, `${at}.qty 必须大于 0`, `${at}.qty`);
      if (typeof line.unit_id !== 'string' || line.unit_id === '')
        return reject(2001, `${at}.unit_id 必填（字符串）`, `${at}.unit_id`);
      const unitIds = [material.baseUnit.id, ...material.extraUnits.map((u) => u.id)];
      if (!unitIds.includes(line.unit_id))
        return reject(2005, `${at}.unit_id 不是商品 ${material.number} 的单位`, `${at}.unit_id`);
      for (const field of ['taxprice', 'cess'] as const) {
        const value = line[field];
        if (value === undefined) continue;
        if (typeof value !== 'string' || !DECIMAL.test(value))
          return reject(2001, `${at}.${field} 必须是数字字符串`, `${at}.${field}`);
        if (new Decimal(value).lt(0)) return reject(2001, `${at}.${field} 不能为负`, `${at}.${field}`);
      }
      if (line.cess !== undefined && new Decimal(line.cess as string).gt(100))
        return reject(2001, `${at}.cess 是百分数（0–100）`, `${at}.cess`);
      const free = line.is_free;
      if (free !== undefined && typeof free !== 'boolean' && free !== 'true' && free !== 'false') {
        return reject(2001, `${at}.is_free 必须是布尔值`, `${at}.is_free`);
      }
    }
    const { id: _ignored, ...stored } = body;
    const now = new Date(this.now()).toISOString();
    if (typeof id === 'string') {
      const order = this.orders.get(id);
      if (!order) return reject(2007, `单据不存在: ${id}`, 'id');
      if (order.audited) return reject(2008, '单据已审核，不能修改', 'id');
      const holder = this.billIndex.get(billno);
      if (holder !== undefined && holder !== id) return reject(2006, `单据编号已存在: ${billno}`, 'billno');
      this.billIndex.delete(order.billno);
      this.billIndex.set(billno, id);
      Object.assign(order, { billno, body: stored, modifiedAt: now, modifications: order.modifications + 1 });
      return { ok: true, id, created: false };
    }
    if (this.billIndex.has(billno)) return reject(2006, `单据编号已存在: ${billno}`, 'billno');
    const newId = this.newId('orders');
    this.orders.set(newId, {
      id: newId,
      billno,
      body: stored,
      createdAt: now,
      modifiedAt: now,
      modifications: 0,
      audited: false,
    });
    this.billIndex.set(billno, newId);
    return { ok: true, id: newId, created: true };
  }
}

export function materialView(m: SandboxMaterial) {
  return {
    id: m.id,
    number: m.number,
    name: m.name,
    base_unit_id: m.baseUnit.id,
    base_unit_name: m.baseUnit.name,
    is_multi_unit: m.extraUnits.length > 0,
    fix_unit_id1: m.extraUnits[0]?.id ?? '',
    fix_unit_id2: m.extraUnits[1]?.id ?? '',
    fix_unit_id3: m.extraUnits[2]?.id ?? '',
    enable: m.enable,
  };
}
