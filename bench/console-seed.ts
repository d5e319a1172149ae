import { type DataSource } from 'typeorm';

/**
 * A ledger of `rows` bills (statuses as a real one is spread: mostly synced, some pending, rejected,
 * failed, cancelled), each with three attempts, modified over the last 30 days; written with
 * generate_series so 100 000 rows take seconds.
 */
export async function seedLedger(dataSource: DataSource, rows: number, prefix = 'JYB'): Promise<void> {
  await dataSource.query(
    `INSERT INTO sales_order_ledger (bill_no, trade_id, status, xingchen_id, source_modified, content_hash, attempts,
        last_error_code, last_error_message, last_synced_at, updated_at)
     SELECT $2 || lpad(i::text, 9, '0'), $2 || lpad(i::text, 9, '0'),
            (ARRAY['synced','synced','synced','synced','synced','synced','synced','pending','rejected','failed','cancelled_in_source'])[1 + i % 11],
            'XC' || i, now() - (i % 43200) * interval '1 minute', md5(i::text), 3,
            CASE WHEN i % 11 IN (8, 9) THEN '1001' END, CASE WHEN i % 11 IN (8, 9) THEN 'customer not found' END,
            now() - (i % 43200) * interval '1 minute', now() - (i % 43200) * interval '1 minute'
       FROM generate_series(1, $1) AS i
     ON CONFLICT (bill_no) DO NOTHING`,
    [rows, prefix],
  );
  await dataSource.query(
    `INSERT INTO sales_order_sync_attempts (bill_no, operation, outcome, xingchen_id, duration_ms, request_body, response_status, response_body, attempted_at)
     SELECT $2 || lpad(i::text, 9, '0'), op, 'success', 'XC' || i, 120,
            '{"billno":"' || $2 || lpad(i::text, 9, '0') || '"}', 200, '{"success":true}', now() - (i % 43200) * interval '1 minute'
       FROM generate_series(1, $1) AS i, unnest(ARRAY['lookup','create','detail']) AS op`,
    [rows, prefix],
  );
  await dataSource.query('ANALYZE sales_order_ledger');
  await dataSource.query('ANALYZE sales_order_sync_attempts');
}
