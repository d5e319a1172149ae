import { checkObject, fieldKinds, requireLines, type FieldKind } from './field-check';
import { detailOf, listRowOf, type FamilyNames, type NeutralOrder, type OrderDraft } from './order-book';
import { type SandboxState } from './sandbox-state';

/** V1 (legacy `/jdy/sal/*`) field names: parsing a save body, rendering a stored bill. */

export const V1_NAMES: FamilyNames = {
  billNo: 'billno',
  customer: 'customerid_id',
  material: 'materialid_id',
  stock: 'stockid_id',
  unit: 'unit_id',
  entries: 'material_entity',
  lineMode: 'v1',
  entryView: {
    id: 'entryId',
    materialid_id: 'materialId',
    materialid_number: 'materialNumber',
    stockid_id: 'stockId',
    qty: 'qty',
    unit_id: 'unitId',
    taxprice: 'taxPrice',
    is_free: 'isFree',
    cess: 'cess',
    remark: 'comment',
  },
  listView: {
    id: 'id',
    billno: 'billNo',
    billdate: 'billDate',
    billstatus: 'billStatus',
    customerid_id: 'customerId',
    customerid_number: 'customerNumber',
    totalamount: 'totalAmount',
  },
  detailHead: (order) => ({
    remark: order.remark ?? '',
    billsource: order.billSource,
    ...order.custom,
  }),
};

/** Top-level custom header fields (the tenant's 项目 field is one). */
export const V1_CUSTOM_FIELD = /^custom_field[0-9a-z]+(_number|_id|_name)?$/;

const HEADER: Record<string, FieldKind> = {
  ...fieldKinds('string', 'id billno customerid_id remark billsource'),
  billdate: 'date',
  material_entity: 'array',
};
const HEADER_REQUIRED = ['billno', 'billdate', 'customerid_id', 'material_entity'];

const LINE: Record<string, FieldKind> = {
  ...fieldKinds('string', 'id materialid_id stockid_id unit_id remark'),
  ...fieldKinds('decimal', 'qty taxprice cess'),
  is_free: 'bool',
};
const LINE_REQUIRED = ['materialid_id', 'stockid_id', 'qty', 'unit_id', 'taxprice', 'is_free', 'cess'];

const customKind = (key: string): FieldKind | undefined => (V1_CUSTOM_FIELD.test(key) ? 'string' : undefined);

/** A `sal_order_save` body → the neutral draft (throws `Refused`). V2 names are unknown keys here. */
export function parseV1Save(input: unknown): { draft: OrderDraft; body: Record<string, unknown> } {
  const body = checkObject(input, '', HEADER, HEADER_REQUIRED, customKind);
  const entries = body.material_entity as unknown[];
  requireLines(entries);
  const lines = entries.map((raw, index) => {
    const line = checkObject(raw, `material_entity[${index}]`, LINE, LINE_REQUIRED);
    return {
      entryId: line.id as string | undefined,
      materialId: line.materialid_id as string,
      stockId: line.stockid_id as string,
      qty: line.qty as string,
      unitId: line.unit_id as string,
      taxPrice: line.taxprice as string,
      cess: line.cess as string,
      isFree: line.is_free as boolean,
      comment: line.remark as string | undefined,
    };
  });
  const custom = Object.fromEntries(
    Object.entries(body).filter(([key]) => V1_CUSTOM_FIELD.test(key)) as Array<[string, string]>,
  );
  const draft: OrderDraft = {
    id: body.id as string | undefined,
    billNo: body.billno as string,
    billDate: body.billdate as string,
    customerId: body.customerid_id as string,
    remark: body.remark as string | undefined,
    billSource: body.billsource as string | undefined,
    custom,
    lines,
  };
  return { draft, body };
}

export const v1ListRow = (order: NeutralOrder, master: SandboxState) => listRowOf(order, master, V1_NAMES);

export const v1Detail = (order: NeutralOrder, master: SandboxState) => detailOf(order, master, V1_NAMES);
