import { type XingchenCore } from '../core';
import { type Json } from '../json';
import { type SalesOrderDraft, type XingchenApiFamily, type XingchenSalesOrder } from '../sales-order';
import { type XingchenFamilyClient } from './family';
import { readV1Detail, V1Family, v1SaveBody } from './v1';
import { readV2Detail, V2Family, v2SaveBody } from './v2';

export * from './family';
export * from './v1';
export * from './v2';

/** THE place where the configured family is chosen. */
export function createFamilyClient(core: XingchenCore): XingchenFamilyClient {
  const family = core.config.family;
  switch (family.api) {
    case 'v1':
      return new V1Family(core, family);
    case 'v2':
      return new V2Family(core, family);
  }
}

/** The exact save body the configured family sends for a draft (previews, tests). */
export function saveBodyFor(family: XingchenApiFamily, draft: SalesOrderDraft): Json {
  return family === 'v1' ? v1SaveBody(draft) : v2SaveBody(draft);
}

/** A detail answer's `data` of the given family in neutral names. */
export function readDetailFor(family: XingchenApiFamily, data: unknown): XingchenSalesOrder | null {
  return family === 'v1' ? readV1Detail(data) : readV2Detail(data);
}
