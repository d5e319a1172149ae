import { Refused, REFUSAL, checkObject, fieldKinds, requireLines, type FieldKind } from './field-check';
import { detailOf, listRowOf, type FamilyNames, type NeutralOrder, type OrderDraft } from './order-book';
import { type SandboxState } from './sandbox-state';

/** V2 (open platform `/jdy/v2/scm/sal_order`) field names: SalOrderSaveReq in, SalOrderDetailReply out. */

export const V2_NAMES: FamilyNames = {
  billNo: 'bill_no',
  customer: 'customer_id',
  material: 'material_id',
  stock: 'stock_id',
  unit: 'unit_id',
  entries: 'material_entity',
  lineMode: 'v2',
  entryView: {
    id: 'entryId',
    material_id: 'materialId',
    material_number: 'materialNumber',
    stock_id: 'stockId',
    qty: 'qty',
    unit_id: 'unitId',
    tax_price: 'taxPrice',
    price: 'price',
    cess: 'cess',
    is_free: 'isFree',
    comment: 'comment',
  },
  listView: {
    id: 'id',
    bill_no: 'billNo',
    bill_date: 'billDate',
    bill_status: 'billStatus',
    customer_id: 'customerId',
    customer_number: 'customerNumber',
    customer_name: 'customerName',
    total_amount: 'totalAmount',
    create_time: 'createdAt',
  },
  detailHead: (order) => ({
    remark: order.remark ?? '',
    default_bill_source: order.billSource,
    custom_field: { ...order.custom },
  }),
};

/** Every key of zhuger/kingdee docs/Model/SalOrderSaveReq.md; `double` fields are decimal strings here. */
const HEADER: Record<string, FieldKind> = {
  ...fieldKinds(
    'string',
    `default_bill_source id bill_no customer_id customer_number emp_id emp_number remark contact_linkman
     contact_phone contact_country_id contact_province_id contact_city_id contact_district_id contact_address
     dispatcher_linkman dispatcher_phone dispatcher_country_id dispatcher_province_id dispatcher_city_id
     dispatcher_district_id dispatcher_address delivery_type_id allocate_rule cus_exchange_rate cus_currency_id
     cus_bear_fee_status operation_key`,
  ),
  ...fieldKinds('decimal', 'bill_dis_amount bill_dis_rate cost_fee total_ins_amount total_amount'),
  ...fieldKinds('bool', 'required_invoice enable_directional ignore_warn reverse_condition_calculate'),
  ...fieldKinds('array', 'payment_entry material_entity attachments_url cus_bear_fee_entry'),
  cost_fee_entity: 'object',
  bill_date: 'date',
  custom_field: 'map',
};
const HEADER_REQUIRED = [
  'bill_no',
  'bill_date',
  ['customer_id', 'customer_number'],
  'material_entity',
] as const;

/** Every key of docs/Model/SalOrderSaveReqMaterialEntity.md. */
const LINE: Record<string, FieldKind> = {
  ...fieldKinds(
    'string',
    'id material_id material_number stock_id sp_id unit_id aux_unit_id aux_unit_name aux_unit_number comment aux_prop_id delivery_date',
  ),
  ...fieldKinds(
    'decimal',
    'qty price tax_price cess tax_amount dis_amount discount amount all_amount bill_dis_before_amount pre_dis_amount',
  ),
  ...fieldKinds('bool', 'regain_price is_free'),
  custom_entity_field: 'map',
};
const LINE_REQUIRED = [
  ['material_id', 'material_number'],
  'stock_id',
  'qty',
  'unit_id',
  'tax_price',
  'cess',
  'is_free',
] as const;

/** `*_number` → id through the master data (an unknown number is refused like an unknown id). */
function resolve(
  master: SandboxState,
  kind: 'customers' | 'materials',
  id: unknown,
  number: unknown,
  field: string,
) {
  if (typeof id === 'string' && id !== '') return id;
  const found = master.find(kind, { number: number as string });
  if (!found)
    throw new Refused(
      kind === 'customers' ? REFUSAL.customer : REFUSAL.material,
      `${field} 不存在: ${String(number)}`,
      field,
    );
  return found.id;
}

/** A `POST /jdy/v2/scm/sal_order` body → the neutral draft (throws `Refused`). V1 names are unknown fields. */
export function parseV2Save(
  input: unknown,
  master: SandboxState,
): { draft: OrderDraft; body: Record<string, unknown> } {
  const body = checkObject(input, '', HEADER, HEADER_REQUIRED);
  const entries = body.material_entity as unknown[];
  requireLines(entries);
  const lines = entries.map((raw, index) => {
    const at = `material_entity[${index}]`;
    const line = checkObject(raw, at, LINE, LINE_REQUIRED);
    return {
      entryId: line.id as string | undefined,
      materialId: resolve(
        master,
        'materials',
        line.material_id,
        line.material_number,
        `${at}.material_number`,
      ),
      stockId: line.stock_id as string,
      qty: line.qty as string,
      unitId: line.unit_id as string,
      taxPrice: line.tax_price as string,
      price: line.price as string | undefined,
      cess: line.cess as string,
      isFree: line.is_free as boolean,
      comment: line.comment as string | undefined,
    };
  });
  const draft: OrderDraft = {
    id: body.id as string | undefined,
    billNo: body.bill_no as string,
    billDate: body.bill_date as string,
    customerId: resolve(master, 'customers', body.customer_id, body.customer_number, 'customer_number'),
    remark: body.remark as string | undefined,
    billSource: body.default_bill_source as string | undefined,
    custom: { ...((body.custom_field as Record<string, string> | undefined) ?? {}) },
    lines,
  };
  return { draft, body };
}

export const v2ListRow = (order: NeutralOrder, master: SandboxState) => listRowOf(order, master, V2_NAMES);

export const v2Detail = (order: NeutralOrder, master: SandboxState) => detailOf(order, master, V2_NAMES);
