/**
 * The Qimen signing vector of wdt-api.md (secret `helloworld`, sign 390BB9F1…), shared by the signer and client
 * specs so that both prove the same vector. Not exported from the library.
 */
export const QIMEN_VECTOR = {
  params: {
    method: 'wdt.trade.query',
    app_key: '12345678',
    target_app_key: '21363512',
    sid: 'test2',
    timestamp: '2024-01-01 12:00:00',
    format: 'json',
    v: '2.0',
    sign_method: 'md5',
    start_time: '2024-01-01 00:00:00',
    end_time: '2024-01-01 01:00:00',
    page_no: '0',
    page_size: '100',
  },
} as const;
