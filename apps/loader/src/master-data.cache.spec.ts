import { NonRetriableError } from '@app/contracts';
import { type XingchenCustomer, type XingchenMaterial, type XingchenStore } from '@app/xingchen-client';
import {
  type MasterDataStorePort,
  type MasterEntry,
  type MasterKind,
  type StoredMasterEntry,
  type XingchenLookupPort,
} from './loader.ports';
import { MasterDataCache } from './master-data.cache';

class FakeLookups implements XingchenLookupPort {
  calls: string[] = [];
  materials = new Map<string, XingchenMaterial>([
    [
      'SKU-1',
      { id: 'm1', number: 'SKU-1', name: 'a', baseUnitId: 'u1', unitIds: ['u1', 'u9'], enabled: true },
    ],
    ['SKU-2', { id: 'm2', number: 'SKU-2', name: 'b', baseUnitId: 'u2', unitIds: ['u2'], enabled: true }],
  ]);
  gate?: Promise<void>;
  async findCustomer(number: string): Promise<XingchenCustomer | null> {
    this.calls.push(`customer:${number}`);
    await this.gate;
    return number === 'C-1' ? { id: 'c1', number, name: 'c', enabled: true } : null;
  }
  async findMaterial(number: string): Promise<XingchenMaterial | null> {
    this.calls.push(`material:${number}`);
    return this.materials.get(number) ?? null;
  }
  async findStore(number: string): Promise<XingchenStore | null> {
    this.calls.push(`store:${number}`);
    return number === 'S-1' ? { id: 's1', number, name: 's', enabled: true } : null;
  }
}

class FakeStore implements MasterDataStorePort {
  rows = new Map<string, StoredMasterEntry>();
  async load(kind: MasterKind, number: string): Promise<StoredMasterEntry | null> {
    return this.rows.get(`${kind}:${number}`) ?? null;
  }
  async save(kind: MasterKind, number: string, entry: MasterEntry, fetchedAt: Date): Promise<void> {
    this.rows.set(`${kind}:${number}`, { entry, fetchedAt });
  }
  async remove(kind: MasterKind, number: string): Promise<void> {
    this.rows.delete(`${kind}:${number}`);
  }
}

const numbers = { customer: 'C-1', materials: ['SKU-1', 'SKU-2', 'SKU-1'], stores: ['S-1', 'S-1', 'S-1'] };

/** A cache on fakes, with a clock the test moves; `restart` is another process on the same table. */
function setup() {
  const clock = { now: 1_000_000 };
  const lookups = new FakeLookups();
  const store = new FakeStore();
  const start = () =>
    new MasterDataCache(lookups, store, { maxAgeMs: 3_600_000, negativeTtlMs: 60_000, now: () => clock.now });
  return { clock, lookups, store, cache: start(), restart: start };
}

describe('MasterDataCache: resolving numbers', () => {
  it('resolves each distinct number once, with the material base unit, and persists it', async () => {
    const { cache, lookups, store, clock } = setup();
    const ids = await cache.resolve(numbers);
    expect(ids).toEqual({
      customerId: 'c1',
      lines: [
        { materialId: 'm1', unitId: 'u1', storeId: 's1' },
        { materialId: 'm2', unitId: 'u2', storeId: 's1' },
        { materialId: 'm1', unitId: 'u1', storeId: 's1' },
      ],
      cached: { customer: false, material: false, store: false },
    });
    expect(lookups.calls).toEqual(['customer:C-1', 'material:SKU-1', 'material:SKU-2', 'store:S-1']);
    expect(store.rows.get('material:SKU-1')).toEqual({
      entry: { id: 'm1', baseUnitId: 'u1', unitIds: ['u1', 'u9'] },
      fetchedAt: new Date(clock.now),
    });
    const again = await cache.resolve(numbers);
    expect(again.cached).toEqual({ customer: true, material: true, store: true });
    expect(lookups.calls).toHaveLength(4);
  });

  it('uses the PostgreSQL table after a restart (another process, same table) while it is young enough', async () => {
    const { cache, lookups, clock, restart } = setup();
    await cache.resolve(numbers);
    const restarted = restart();
    await restarted.resolve(numbers);
    expect(lookups.calls).toHaveLength(4);
    clock.now += 3_600_001;
    await restarted.resolve(numbers);
    expect(lookups.calls).toHaveLength(8);
  });

  it('shares one look-up between concurrent callers', async () => {
    const { cache, lookups } = setup();
    let open!: () => void;
    lookups.gate = new Promise((resolve) => (open = resolve));
    const both = Promise.all([cache.resolve(numbers), cache.resolve(numbers)]);
    await Promise.resolve();
    open();
    await both;
    expect(lookups.calls.filter((c) => c === 'customer:C-1')).toHaveLength(1);
  });
});

describe('MasterDataCache: unknown and invalidated numbers', () => {
  it('rejects an unknown number with a reason naming it, and does not ask again during the negative TTL', async () => {
    const { cache, lookups, store, clock } = setup();
    const unknown = { ...numbers, materials: ['SKU-1', 'SKU-404'] };
    const error = await cache.resolve(unknown).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as NonRetriableError).reason).toBe('unknown_material');
    expect((error as NonRetriableError).message).toBe('material (SKU) SKU-404 not found in Xingchen');
    await cache.resolve(unknown).catch(() => undefined);
    expect(lookups.calls.filter((c) => c === 'material:SKU-404')).toHaveLength(1);
    clock.now += 60_001;
    await cache.resolve(unknown).catch(() => undefined);
    expect(lookups.calls.filter((c) => c === 'material:SKU-404')).toHaveLength(2);
    expect(store.rows.has('material:SKU-404')).toBe(false);
  });

  it('drops invalidated entries from memory and the table; `fresh` bypasses the cache', async () => {
    const { cache, lookups, store } = setup();
    await cache.resolve(numbers);
    lookups.materials.set('SKU-1', {
      id: 'm1-new',
      number: 'SKU-1',
      name: 'a',
      baseUnitId: 'u1',
      unitIds: ['u1'],
      enabled: true,
    });
    await cache.invalidate('material', ['SKU-1', 'SKU-1']);
    expect(store.rows.has('material:SKU-1')).toBe(false);
    const ids = await cache.resolve(numbers);
    expect(ids.lines[0].materialId).toBe('m1-new');
    expect(ids.cached).toEqual({ customer: true, material: true, store: true }); // SKU-2 still cached
    await cache.resolve(numbers, { fresh: ['store'] });
    expect(lookups.calls.filter((c) => c === 'store:S-1')).toHaveLength(2);
  });
});
