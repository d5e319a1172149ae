import {
  type MasterDataFixture,
  type SandboxMaterial,
  type SandboxRecord,
  type SandboxUnit,
} from './master-data';

export type MasterKind = 'customers' | 'materials' | 'stores';

/** Ids of every kind come from one counter with a per-kind prefix, so an id of one kind is never valid as another. */
export class IdSource {
  private next = 1;
  constructor(private readonly prefix: string) {}
  take(): string {
    return `${this.prefix}${String(this.next++).padStart(15, '0')}`;
  }
}

/** Master data shared by every account set, looked up by number (admin, V2 `number`) and by id (saves). */
export class SandboxState {
  readonly customers = new Map<string, SandboxRecord>();
  readonly stores = new Map<string, SandboxRecord>();
  readonly materials = new Map<string, SandboxMaterial>();
  private readonly byId = {
    customers: new Map<string, SandboxRecord>(),
    materials: new Map<string, SandboxMaterial>(),
    stores: new Map<string, SandboxRecord>(),
  };
  private readonly units = new Map<string, SandboxUnit>();
  private readonly idSources = {
    customers: new IdSource('11'),
    materials: new IdSource('12'),
    stores: new IdSource('13'),
    units: new IdSource('14'),
  };

  constructor(fixture: MasterDataFixture) {
    this.loadMasterData(fixture);
  }

  private unit(name: string): SandboxUnit {
    let unit = this.units.get(name);
    if (!unit) {
      unit = { id: this.idSources.units.take(), name };
      this.units.set(name, unit);
    }
    return unit;
  }

  /** Adds master data; an existing number is replaced by a record with a NEW id (the old id is gone). */
  loadMasterData(fixture: Partial<MasterDataFixture>): void {
    for (const c of fixture.customers ?? []) {
      this.put('customers', {
        id: this.idSources.customers.take(),
        number: c.number,
        name: c.name,
        enable: '1',
      });
    }
    for (const s of fixture.stores ?? []) {
      this.put('stores', { id: this.idSources.stores.take(), number: s.number, name: s.name, enable: '1' });
    }
    for (const m of fixture.materials ?? []) {
      this.put('materials', {
        id: this.idSources.materials.take(),
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
    (this.byId[kind] as Map<string, SandboxRecord>).set(record.id, record);
  }

  removeMasterData(kind: MasterKind, number: string): boolean {
    const old = this[kind].get(number);
    if (!old) return false;
    this[kind].delete(number);
    this.byId[kind].delete(old.id);
    return true;
  }

  customerById(id: string): SandboxRecord | undefined {
    return this.byId.customers.get(id);
  }
  storeById(id: string): SandboxRecord | undefined {
    return this.byId.stores.get(id);
  }
  materialById(id: string): SandboxMaterial | undefined {
    return this.byId.materials.get(id);
  }

  /** `id` wins over `number` (both SDK families: "id 与 number 二选一"). */
  find(kind: MasterKind, by: { id?: string; number?: string }): SandboxRecord | SandboxMaterial | undefined {
    if (by.id) return this.byId[kind].get(by.id);
    return by.number ? this[kind].get(by.number) : undefined;
  }

  /** Rows whose number or name contains `search` (both families' list calls). */
  search(kind: MasterKind, search: string): Array<SandboxRecord | SandboxMaterial> {
    return [...this[kind].values()].filter(
      (r) => !search || r.number.includes(search) || r.name.includes(search),
    );
  }
}

export const unitIdsOf = (m: SandboxMaterial): string[] => [m.baseUnit.id, ...m.extraUnits.map((u) => u.id)];

/** V2 material detail (`GET /jdy/v2/bd/material_detail`). */
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

/** V1 material detail (`POST /jdy/basedata/material_detail`, legacy `MaterialDetail` names). */
export function materialViewV1(m: SandboxMaterial) {
  const [u1, u2, u3] = m.extraUnits;
  return {
    id: m.id,
    number: m.number,
    name: m.name,
    baseunitid_id: m.baseUnit.id,
    baseunitid_name: m.baseUnit.name,
    ismulti_unit: m.extraUnits.length > 0,
    ...(u1 ? { fixunit1_id: u1.id } : {}),
    ...(u2 ? { fixunit2_id: u2.id } : {}),
    ...(u3 ? { fixunit3_id: u3.id } : {}),
    saleunitid_id: m.baseUnit.id,
    purchaseunitid_id: m.baseUnit.id,
    storeunitid_id: m.baseUnit.id,
    auxunitid_id: m.baseUnit.id,
  };
}
