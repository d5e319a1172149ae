import { Decimal } from 'decimal.js';
import { type NormalizedSalesOrder } from '@app/contracts';
import { salesOrderDraft, type SalesOrderDraft, type XingchenSalesOrder } from '@app/xingchen-client';

export { salesOrderDraft };

/**
 * A modify replaces the stored lines: the first lines reuse the stored entries' ids in order, so
 * Xingchen updates them instead of adding lines next to them; stored entries beyond the new
 * lines are left out (removed), new lines beyond the stored ones carry no id.
 */
export function withStoredEntryIds(draft: SalesOrderDraft, stored: XingchenSalesOrder): SalesOrderDraft {
  return {
    ...draft,
    lines: draft.lines.map((line, index) =>
      index < stored.lines.length ? { ...line, entryId: stored.lines[index].entryId } : line,
    ),
  };
}

const sameDecimal = (a: string, b: string): boolean => {
  try {
    return new Decimal(a).equals(new Decimal(b));
  } catch {
    return a === b;
  }
};

/** Whether the stored bill already says what the draft says (decimals compared as decimals). */
export function storedMatchesDraft(stored: XingchenSalesOrder, draft: SalesOrderDraft): boolean {
  if (stored.billDate !== draft.billDate || stored.customerId !== draft.customerId) return false;
  if ((stored.remark ?? '') !== (draft.remark ?? '')) return false;
  for (const [field, value] of Object.entries(draft.customFields))
    if (stored.customFields[field] !== value) return false;
  if (stored.lines.length !== draft.lines.length) return false;
  return draft.lines.every((line, index) => {
    const saved = stored.lines[index];
    return (
      saved.materialId === line.materialId &&
      saved.storeId === line.storeId &&
      saved.unitId === line.unitId &&
      saved.isFree === line.isFree &&
      sameDecimal(saved.qty, line.qty) &&
      sameDecimal(saved.taxPrice, line.taxPrice) &&
      sameDecimal(saved.taxPercent, line.taxPercent)
    );
  });
}

/** The numbers of an order the loader resolves. */
export const orderNumbers = (order: NormalizedSalesOrder) => ({
  customer: order.customerNumber,
  materials: order.lines.map((line) => line.materialNumber),
  stores: order.lines.map((line) => line.storeNumber),
});
