import { FatalError } from '@app/contracts';
import {
  readDetailFor,
  readV1Detail,
  readV1Envelope,
  readV2Detail,
  readV2Envelope,
  saveBodyFor,
  selectAccountGroup,
  v1ExpiresAt,
  v1SaveBody,
  v2SaveBody,
} from './families';
import { draftLine, draftOf, storedLine, storedOrder, v1WireLine, v2WireLine } from './draft.fixture';
import { type SalesOrderDraft } from './sales-order';

const draft: SalesOrderDraft = draftOf({
  id: '9',
  remark: 'WDT T1',
  lines: [
    draftLine({ entryId: 'e1' }),
    draftLine({ materialId: 'm2', qty: '1', unitId: 'u2', taxPrice: '0', isFree: true, taxPercent: '0' }),
  ],
});

describe('body builders', () => {
  it('V1: flat legacy names, custom fields top-level, entry id only where known', () => {
    expect(v1SaveBody(draft)).toEqual({
      id: '9',
      billno: 'B1',
      billdate: '2024-01-02',
      customerid_id: 'c1',
      remark: 'WDT T1',
      custom_field42obgp309axx5_number: 'P-01',
      material_entity: [
        { id: 'e1', ...v1WireLine() },
        {
          materialid_id: 'm2',
          stockid_id: 's1',
          qty: '1',
          unit_id: 'u2',
          taxprice: '0',
          is_free: true,
          cess: '0',
        },
      ],
    });
    expect(saveBodyFor('v1', draft)).toEqual(v1SaveBody(draft));
  });

  it('V1: a custom field key that is not one refuses to build (configuration)', () => {
    expect(() => v1SaveBody({ ...draft, customFields: { billno: 'X' } })).toThrow(FatalError);
  });

  it('V2: open-platform names, custom_field map, decimals as strings, no V1 names', () => {
    const body = v2SaveBody({
      ...draft,
      lines: draft.lines.map((line, i) => ({ ...line, entryId: `e${i + 1}` })),
    });
    expect(body).toEqual({
      id: '9',
      bill_no: 'B1',
      bill_date: '2024-01-02',
      customer_id: 'c1',
      remark: 'WDT T1',
      custom_field: { custom_field42obgp309axx5_number: 'P-01' },
      material_entity: [
        { id: 'e1', ...v2WireLine() },
        {
          id: 'e2',
          material_id: 'm2',
          stock_id: 's1',
          qty: '1',
          unit_id: 'u2',
          tax_price: '0',
          cess: '0',
          is_free: true,
        },
      ],
    });
    expect(JSON.stringify(body)).not.toMatch(
      /"(billno|billdate|customerid_id|materialid_id|stockid_id|taxprice)"/,
    );
    expect(saveBodyFor('v2', draft)).toEqual(v2SaveBody(draft));
  });

  it('V2: mixed entry ids are all dropped (replace all lines); a create never sends entry ids', () => {
    const mixed = v2SaveBody(draft).material_entity as Array<Record<string, unknown>>;
    expect(mixed.map((line) => line.id)).toEqual([undefined, undefined]);
    const created = v2SaveBody({ ...draft, id: undefined, customFields: {} });
    expect(created).not.toHaveProperty('id');
    expect(created).not.toHaveProperty('custom_field');
  });
});

describe('detail readers', () => {
  it('V1: neutral lines with entry ids, audited from C, numbers as numbers or strings', () => {
    expect(
      readV1Detail({
        id: 9,
        billno: 'B1',
        billdate: '2024-01-02',
        billstatus: 'C',
        customerid_id: 'c1',
        customerid_number: 'C001',
        custom_field42obgp309axx5_number: 'P-01',
        material_entity: [
          {
            id: 'e1',
            materialid_id: 'm1',
            materialid_number: 'SKU',
            stockid_id: 's1',
            qty: 2,
            unit_id: 'u1',
            taxprice: 10.5,
            is_free: 'false',
            cess: '13',
          },
        ],
      }),
    ).toEqual(storedOrder());
  });

  it('V1: audit flag absent → not audited; other flag names accepted; missing optional fields', () => {
    const bare = readV1Detail({ id: '1', billno: 'B' });
    expect(bare).toMatchObject({ audited: false, status: '', lines: [], customFields: {} });
    expect(bare).not.toHaveProperty('remark');
    expect(readV1Detail({ id: '1', checkstatus: '1' })?.audited).toBe(true);
    expect(readV1Detail({ id: '1', billstatus: 'Z' })?.audited).toBe(false);
    expect(readV1Detail(null)).toBeNull();
    expect(readV1Detail({ billno: 'no id' })).toBeNull();
  });

  it('V2: neutral lines, custom_field map, audited from bill_status C', () => {
    const order = readV2Detail({
      id: '9',
      bill_no: 'B1',
      bill_date: '2024-01-02',
      bill_status: 'C',
      customer_id: 'c1',
      remark: 'r',
      custom_field: { custom_field42obgp309axx5_number: 'P-01', numeric: 3 },
      material_entity: [
        {
          id: 7,
          material_id: 'm1',
          stock_id: 's1',
          qty: '2.5',
          unit_id: 'u1',
          tax_price: '10',
          cess: 13,
          is_free: true,
        },
      ],
    });
    expect(order).toEqual({
      ...storedOrder(),
      remark: 'r',
      customFields: { custom_field42obgp309axx5_number: 'P-01', numeric: '3' },
      lines: [storedLine({ entryId: '7', qty: '2.5', taxPrice: '10', isFree: true })],
    });
    expect(readV2Detail({ id: '9', bill_status: 'Z' })).toMatchObject({
      audited: false,
      lines: [],
      customFields: {},
    });
    expect(readDetailFor('v2', { id: '1' })).toEqual(readV2Detail({ id: '1' }));
    expect(readDetailFor('v1', { id: '1' })).toEqual(readV1Detail({ id: '1' }));
  });
});

describe('envelopes', () => {
  it('V1 reads both levels', () => {
    expect(readV1Envelope({ success: true, data: { success: true, successPkIds: ['1'] } })).toEqual({
      ok: true,
      data: { success: true, successPkIds: ['1'] },
    });
    expect(
      readV1Envelope({
        success: true,
        data: { success: false, errorInfo: [{ id: '', msg: '客户不存在' }], message: 'm' },
      }),
    ).toEqual({ ok: false, refused: true, detail: '客户不存在' });
    expect(
      readV1Envelope({ success: false, errorCode: '', message: '', description_cn: '单据不存在' }),
    ).toEqual({
      ok: false,
      refused: true,
      detail: '单据不存在',
    });
    expect(readV1Envelope({ errcode: 0, data: { access_token: 't' } })).toMatchObject({ ok: true });
    expect(readV1Envelope({ errcode: 1000, description: '用户名或密码错误' })).toMatchObject({
      refused: true,
    });
    expect(readV1Envelope({ hello: 1 })).toMatchObject({ ok: false, refused: false });
  });

  it('V2 reads errcode as a number or a string', () => {
    expect(readV2Envelope({ errcode: '0', data: 1 })).toEqual({ ok: true, data: 1 });
    expect(readV2Envelope({ errcode: '2001', description: 'x' })).toEqual({
      ok: false,
      refused: true,
      errcode: 2001,
      detail: 'x',
    });
    expect(readV2Envelope({ success: true })).toMatchObject({ ok: false, refused: false });
  });
});

describe('V1 session', () => {
  it('reads the token lifetime from expires_in, expires (ms, s, or a lifetime), else 2 h', () => {
    const at = 1_700_000_000_000;
    expect(v1ExpiresAt({ expires_in: 3600 }, at)).toBe(at + 3_600_000);
    expect(v1ExpiresAt({ expires_in: '60' }, at)).toBe(at + 60_000);
    expect(v1ExpiresAt({ expires: at + 5000 }, at)).toBe(at + 5000);
    expect(v1ExpiresAt({ expires: 1_700_000_100 }, at)).toBe(1_700_000_100_000);
    expect(v1ExpiresAt({ expires: 7200 }, at)).toBe(at + 7_200_000);
    expect(v1ExpiresAt({}, at)).toBe(at + 7_200_000);
  });

  it('selects the account set across services', () => {
    const data = [
      { serviceId: 'a', accountGroups: [{ accountId: '1', groupName: 'g1' }] },
      { serviceId: 'b', accountGroups: [{ accountId: '2', groupName: 'g2' }] },
    ];
    expect(selectAccountGroup(data, '2')).toEqual({ accountId: '2', groupName: 'g2' });
    expect(() => selectAccountGroup(data, undefined)).toThrow(/set XINGCHEN_ACCOUNT_ID/);
    expect(selectAccountGroup([data[0]], undefined)).toEqual({ accountId: '1', groupName: 'g1' });
    expect(() => selectAccountGroup([], undefined)).toThrow(FatalError);
  });
});
