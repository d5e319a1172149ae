import { createHash } from 'node:crypto';
import {
  NORMALIZED_ORDER_SCHEMA_VERSION,
  type NormalizedOrderLine,
  type NormalizedSalesOrder,
  type OrderSource,
} from '@app/contracts';
import { normalizeDecimal } from './decimal';

/** The business fields of an order: what Xingchen stores. Provenance (times, ids, logistics) is not here. */
export type ContentFields = Pick<
  NormalizedSalesOrder,
  'billDate' | 'customerNumber' | 'project' | 'remark'
> & {
  lines: ReadonlyArray<
    Pick<NormalizedOrderLine, 'materialNumber' | 'storeNumber' | 'qty' | 'taxPrice' | 'isFree' | 'taxPercent'>
  >;
};

/** Bump when the canonical form changes: every order then hashes differently (one modify each). */
const CANONICAL_FORM = 'erpsync.order.content.v1';

/**
 * sha256 (hex) over the business fields only, in a fixed order, decimals normalized ("2.0000" and
 * "2" hash alike). A new logistics number, a new `modified` time or a new `rec_id` does not change it;
 * line order does (Xingchen keeps lines in order).
 */
export function contentHash(order: ContentFields): string {
  const canonical = [
    CANONICAL_FORM,
    order.billDate,
    order.customerNumber,
    order.project ? [order.project.field, order.project.value] : null,
    order.remark ?? null,
    order.lines.map((line) => [
      line.materialNumber,
      line.storeNumber,
      normalizeDecimal(line.qty),
      normalizeDecimal(line.taxPrice),
      line.isFree,
      normalizeDecimal(line.taxPercent),
    ]),
  ];
  return createHash('sha256').update(JSON.stringify(canonical), 'utf8').digest('hex');
}

/** A normalized sales order's fields besides its bill number, envelope, source and hash. */
export type OrderBusiness = Omit<
  NormalizedSalesOrder,
  'kind' | 'schemaVersion' | 'billNo' | 'source' | 'contentHash'
>;

/** The normalized sales order of `billNo`: the envelope, its business fields and source, and their content hash. */
export const normalizedOrderOf = (
  billNo: string,
  business: OrderBusiness,
  source: OrderSource,
): NormalizedSalesOrder => ({
  kind: 'order',
  schemaVersion: NORMALIZED_ORDER_SCHEMA_VERSION,
  billNo,
  ...business,
  source,
  contentHash: contentHash(business),
});
