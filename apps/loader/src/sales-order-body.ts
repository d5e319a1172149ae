import { type NormalizedSalesOrder } from '@app/contracts';
import { type SalesOrderBody } from '@app/xingchen-client';
import { type ResolvedIds } from './loader.ports';

/** The `sal_order_save` body of a normalized order with its numbers resolved to ids (and `id` to modify). */
export function salesOrderBody(
  order: NormalizedSalesOrder,
  ids: ResolvedIds,
  xingchenId?: string,
): SalesOrderBody {
  const body: SalesOrderBody = {
    ...(xingchenId ? { id: xingchenId } : {}),
    billno: order.billNo,
    billdate: order.billDate,
    customerid_id: ids.customerId,
    material_entity: order.lines.map((line, index) => {
      const resolved = ids.lines[index];
      return {
        materialid_id: resolved.materialId,
        stockid_id: resolved.storeId,
        qty: line.qty,
        unit_id: resolved.unitId,
        taxprice: line.taxPrice,
        is_free: line.isFree,
        cess: line.taxPercent,
      };
    }),
  };
  if (order.remark) body.remark = order.remark;
  if (order.project) body[order.project.field] = order.project.value;
  return body;
}

/** The numbers of an order the loader resolves. */
export const orderNumbers = (order: NormalizedSalesOrder) => ({
  customer: order.customerNumber,
  materials: order.lines.map((line) => line.materialNumber),
  stores: order.lines.map((line) => line.storeNumber),
});
