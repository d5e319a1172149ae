import { type NormalizedSalesOrder } from '@app/contracts';
import { type SalesOrderDraft } from './sales-order';

/** The Xingchen ids of one order's customer and of each line's material, unit and store. */
export interface DraftIds {
  customerId: string;
  lines: Array<{ materialId: string; unitId: string; storeId: string }>;
}

/**
 * The family-neutral sales order of a normalized order with its numbers resolved to ids; with
 * `xingchenId` it modifies that bill. Which wire names it gets is the client's business.
 */
export function salesOrderDraft(
  order: NormalizedSalesOrder,
  ids: DraftIds,
  xingchenId?: string,
): SalesOrderDraft {
  return {
    ...(xingchenId ? { id: xingchenId } : {}),
    billNo: order.billNo,
    billDate: order.billDate,
    customerId: ids.customerId,
    ...(order.remark ? { remark: order.remark } : {}),
    customFields: order.project ? { [order.project.field]: order.project.value } : {},
    lines: order.lines.map((line, index) => {
      const resolved = ids.lines[index];
      return {
        materialId: resolved.materialId,
        storeId: resolved.storeId,
        qty: line.qty,
        unitId: resolved.unitId,
        taxPrice: line.taxPrice,
        isFree: line.isFree,
        taxPercent: line.taxPercent,
      };
    }),
  };
}
