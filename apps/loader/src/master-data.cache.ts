import { NonRetriableError } from '@app/contracts';
import {
  type MasterDataResolverPort,
  type MasterDataStorePort,
  type MasterEntry,
  type MasterKind,
  type ResolvedIds,
  type XingchenLookupPort,
} from './loader.ports';

export interface MasterDataCacheOptions {
  /** Entries older than this are looked up again. */
  maxAgeMs: number;
  /** A number Xingchen does not know is not asked for again during this time. */
  negativeTtlMs: number;
  now?: () => number;
}

const REASONS: Record<MasterKind, string> = {
  customer: 'unknown_customer',
  material: 'unknown_material',
  store: 'unknown_store',
};
const LABELS: Record<MasterKind, string> = {
  customer: 'customer',
  material: 'material (SKU)',
  store: 'store (warehouse)',
};

type Memo = { entry: MasterEntry | null; fetchedAt: number };

/**
 * Number → id resolution of customers, materials (with their units) and stores: memory first,
 * then the PostgreSQL cache table, then Xingchen (one look-up in flight per number). Entries are
 * refreshed after `maxAgeMs` and dropped when a save says an id is gone.
 */
export class MasterDataCache implements MasterDataResolverPort {
  private readonly memory = new Map<string, Memo>();
  private readonly inFlight = new Map<string, Promise<Memo>>();
  private readonly now: () => number;

  constructor(
    private readonly xingchen: XingchenLookupPort,
    private readonly store: MasterDataStorePort,
    private readonly options: MasterDataCacheOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async resolve(
    numbers: { customer: string; materials: string[]; stores: string[] },
    options: { fresh?: MasterKind[] } = {},
  ): Promise<ResolvedIds> {
    const fresh = new Set(options.fresh ?? []);
    const cached: Record<MasterKind, boolean> = { customer: false, material: false, store: false };
    const get = async (kind: MasterKind, number: string): Promise<MasterEntry> => {
      const { entry, fromCache } = await this.get(kind, number, fresh.has(kind));
      if (!entry) {
        throw new NonRetriableError(`${LABELS[kind]} ${number} not found in Xingchen`, {
          reason: REASONS[kind],
          code: 1001,
        });
      }
      if (fromCache) cached[kind] = true;
      return entry;
    };
    const customer = await get('customer', numbers.customer);
    const materials = new Map<string, MasterEntry>();
    const stores = new Map<string, MasterEntry>();
    // one look-up per distinct number, in order, so that the first unknown one is the one named
    for (const number of numbers.materials)
      if (!materials.has(number)) materials.set(number, await get('material', number));
    for (const number of numbers.stores)
      if (!stores.has(number)) stores.set(number, await get('store', number));
    return {
      customerId: customer.id,
      lines: numbers.materials.map((material, index) => {
        const m = materials.get(material)!;
        if (!m.baseUnitId)
          throw new NonRetriableError(`material (SKU) ${material} has no base unit in Xingchen`, {
            reason: 'material_without_unit',
          });
        return { materialId: m.id, unitId: m.baseUnitId, storeId: stores.get(numbers.stores[index])!.id };
      }),
      cached,
    };
  }

  async invalidate(kind: MasterKind, numbers: string[]): Promise<void> {
    for (const number of new Set(numbers)) {
      this.memory.delete(`${kind}:${number}`);
      await this.store.remove(kind, number);
    }
  }

  private async get(
    kind: MasterKind,
    number: string,
    fresh: boolean,
  ): Promise<{ entry: MasterEntry | null; fromCache: boolean }> {
    const key = `${kind}:${number}`;
    const now = this.now();
    if (!fresh) {
      const memo = this.memory.get(key);
      if (memo && now - memo.fetchedAt < (memo.entry ? this.options.maxAgeMs : this.options.negativeTtlMs)) {
        return { entry: memo.entry, fromCache: true };
      }
      const stored = await this.store.load(kind, number);
      if (stored && now - stored.fetchedAt.getTime() < this.options.maxAgeMs) {
        this.memory.set(key, { entry: stored.entry, fetchedAt: stored.fetchedAt.getTime() });
        return { entry: stored.entry, fromCache: true };
      }
    }
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.fetch(kind, number).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    const memo = await pending;
    return { entry: memo.entry, fromCache: false };
  }

  private async fetch(kind: MasterKind, number: string): Promise<Memo> {
    let entry: MasterEntry | null;
    if (kind === 'material') {
      const m = await this.xingchen.findMaterial(number);
      entry = m && { id: m.id, baseUnitId: m.baseUnitId, unitIds: m.unitIds };
    } else {
      const record =
        kind === 'customer'
          ? await this.xingchen.findCustomer(number)
          : await this.xingchen.findStore(number);
      entry = record && { id: record.id };
    }
    const memo = { entry, fetchedAt: this.now() };
    this.memory.set(`${kind}:${number}`, memo);
    if (entry) await this.store.save(kind, number, entry, new Date(memo.fetchedAt));
    return memo;
  }
}
