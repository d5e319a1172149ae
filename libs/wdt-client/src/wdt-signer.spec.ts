import { createHash } from 'node:crypto';
import { openapiPack, openapiSign, qimenSign } from './wdt-signer';
import { QIMEN_VECTOR } from './wdt-vectors.fixture';

describe('WDT signers reproduce the vectors of wdt-api.md', () => {
  const nativeParams = {
    appkey: 'test2-xx',
    end_time: '2016-08-01 13:00:00',
    page_no: '0',
    page_size: '40',
    sid: 'test2',
    start_time: '2016-08-01 12:00:00',
    timestamp: '1470042310',
  };

  it('packs the native parameters exactly as WDT’s signing guide', () => {
    expect(openapiPack(nativeParams)).toBe(
      '06-appkey:0008-test2-xx;08-end_time:0019-2016-08-01 13:00:00;07-page_no:0001-0;09-page_size:0002-40;' +
        '03-sid:0005-test2;10-start_time:0019-2016-08-01 12:00:00;09-timestamp:0010-1470042310',
    );
  });

  it('signs the native vector', () => {
    expect(openapiSign(nativeParams, '12345')).toBe('ad4e6fe037ea6e3ba4768317be9d1309');
  });

  it('ignores an existing sign parameter and the order of keys', () => {
    const shuffled = { sign: 'whatever', ...Object.fromEntries(Object.entries(nativeParams).reverse()) };
    expect(openapiSign(shuffled, '12345')).toBe('ad4e6fe037ea6e3ba4768317be9d1309');
  });

  it('counts characters, not bytes, in the native Chinese-text vector', () => {
    const { appkey, page_no, sid, timestamp } = nativeParams;
    const params = { appkey, page_no, shop_no: '店铺01', sid, timestamp };
    expect(openapiPack(params)).toContain('07-shop_no:0004-店铺01');
    expect(openapiSign(params, '12345')).toBe('0944561281bdf0096e18a9f0e08ffcf8');
    // the wrong (byte-length) signature quoted by the contract, to prove the vector discriminates
    const byteLengthPack = openapiPack(params).replace('0004-店铺01', '0008-店铺01');
    expect(createHash('md5').update(`${byteLengthPack}12345`).digest('hex')).toBe(
      '6c4f69b834a2283402ffed70321153ba',
    );
  });

  const qimenParams = QIMEN_VECTOR.params;

  it('signs the Qimen vector', () => {
    expect(qimenSign(qimenParams, 'helloworld')).toBe('390BB9F1F1C3D92447B979C409FF1038');
  });

  it('skips empty values and the sign parameter in the Qimen signature', () => {
    expect(qimenSign({ ...qimenParams, status: '', sign: 'X' }, 'helloworld')).toBe(
      '390BB9F1F1C3D92447B979C409FF1038',
    );
  });

  it('changes when any parameter changes', () => {
    expect(qimenSign({ ...qimenParams, page_no: '1' }, 'helloworld')).not.toBe(
      '390BB9F1F1C3D92447B979C409FF1038',
    );
    expect(openapiSign({ ...nativeParams, page_no: '1' }, '12345')).not.toBe(
      'ad4e6fe037ea6e3ba4768317be9d1309',
    );
  });
});
