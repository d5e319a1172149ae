/** Sales-order drafts and lines for the client's specs. Not exported from the library. */
import {
  type SalesOrderDraft,
  type SalesOrderDraftLine,
  type XingchenSalesOrder,
  type XingchenSalesOrderLine,
} from './sales-order';

/** Line m1 of store s1: 2 × 10.50 in unit u1 at 13 %, not free. */
export const draftLine = (overrides: Partial<SalesOrderDraftLine> = {}): SalesOrderDraftLine => ({
  materialId: 'm1',
  storeId: 's1',
  qty: '2',
  unitId: 'u1',
  taxPrice: '10.50',
  isFree: false,
  taxPercent: '13',
  ...overrides,
});

/** The same line as a detail answer reads it back: entry `e1`, the price as the wire spelled it. */
export const storedLine = (overrides: Partial<XingchenSalesOrderLine> = {}): XingchenSalesOrderLine => ({
  entryId: 'e1',
  ...draftLine({ taxPrice: '10.5' }),
  ...overrides,
});

/** Bill B1 of customer c1 on 2024-01-02 with project P-01 and the one `draftLine()`. */
export const draftOf = (overrides: Partial<SalesOrderDraft> = {}): SalesOrderDraft => ({
  billNo: 'B1',
  billDate: '2024-01-02',
  customerId: 'c1',
  customFields: { custom_field42obgp309axx5_number: 'P-01' },
  lines: [draftLine()],
  ...overrides,
});

/** `draftLine()` in the V1 wire names of `sal_order_save` (`material_entity[]`). */
export const v1WireLine = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  materialid_id: 'm1',
  stockid_id: 's1',
  qty: '2',
  unit_id: 'u1',
  taxprice: '10.50',
  is_free: false,
  cess: '13',
  ...overrides,
});

/** Bill 9 (B1, audited `C`) as a detail answer reads back `draftOf()` with its `storedLine()`. */
export const storedOrder = (overrides: Partial<XingchenSalesOrder> = {}): XingchenSalesOrder => {
  const { billNo, billDate, customerId, customFields } = draftOf();
  return {
    id: '9',
    billNo,
    billDate,
    customerId,
    audited: true,
    status: 'C',
    customFields,
    lines: [storedLine()],
    ...overrides,
  };
};

/** `draftLine()` in the V2 wire names of `POST /jdy/v2/scm/sal_order` (`material_entity[]`). */
export const v2WireLine = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  material_id: 'm1',
  stock_id: 's1',
  qty: '2',
  unit_id: 'u1',
  tax_price: '10.50',
  cess: '13',
  is_free: false,
  ...overrides,
});
