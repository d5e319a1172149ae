import { readFileSync } from 'node:fs';
import { catalogShops, catalogSkus, catalogWarehouses } from '@app/sandbox-catalog';

/** `XINGCHEN_SANDBOX_FIXTURE`: master data by number; the sandbox assigns the ids. */
export interface MasterDataFixture {
  customers: Array<{ number: string; name: string }>;
  /** `unit` is the base unit's name; `extraUnits` optional auxiliary unit names (fix_unit_id1..3). */
  materials: Array<{ number: string; name: string; unit: string; extraUnits?: string[] }>;
  stores: Array<{ number: string; name: string }>;
}

export interface SandboxUnit {
  id: string;
  name: string;
}

export interface SandboxRecord {
  id: string;
  number: string;
  name: string;
  enable: '1' | '0';
}

export interface SandboxMaterial extends SandboxRecord {
  baseUnit: SandboxUnit;
  extraUnits: SandboxUnit[];
}

/** Master data generated from @app/sandbox-catalog, so generated WDT trades reference things that exist. */
export function catalogFixture(): MasterDataFixture {
  return {
    customers: catalogShops.map((shop) => ({ number: shop.customerNumber, name: shop.customerName })),
    // every third SKU can also be sold by the box (an auxiliary unit), like a multi-unit material
    materials: catalogSkus.map((sku, index) => ({
      number: sku.specNo,
      name: `${sku.goodsName} ${sku.specName}`,
      unit: sku.unitName,
      ...(index % 3 === 0 ? { extraUnits: ['箱'] } : {}),
    })),
    stores: catalogWarehouses.map((warehouse) => ({ number: warehouse.storeNumber, name: warehouse.name })),
  };
}

export function readFixtureFile(path: string): MasterDataFixture {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  return validateFixture(parsed, path);
}

export function validateFixture(value: unknown, origin = 'fixture'): MasterDataFixture {
  const problems: string[] = [];
  const record = (value ?? {}) as Record<string, unknown>;
  const list = (key: string, fields: string[]) => {
    const items = record[key] ?? [];
    if (!Array.isArray(items)) {
      problems.push(`${key} must be an array`);
      return [];
    }
    items.forEach((item: unknown, index) => {
      for (const field of fields) {
        const v = (item as Record<string, unknown> | null)?.[field];
        if (typeof v !== 'string' || v === '')
          problems.push(`${key}[${index}].${field} must be a non-empty string`);
      }
    });
    return items as never[];
  };
  const fixture: MasterDataFixture = {
    customers: list('customers', ['number', 'name']),
    materials: list('materials', ['number', 'name', 'unit']),
    stores: list('stores', ['number', 'name']),
  };
  if (problems.length > 0) throw new Error(`invalid master data ${origin}: ${problems.join('; ')}`);
  return fixture;
}
