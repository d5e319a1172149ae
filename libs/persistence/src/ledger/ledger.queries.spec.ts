import { type Columns } from './ledger-row';
import { LedgerQueries } from './ledger.queries';

/** Answers every statement with `rows`, remembering what was asked. */
function reader(rows: Columns[]) {
  const asked: Array<{ sql: string; params?: unknown[] }> = [];
  const queries = new LedgerQueries(async (sql, params) => {
    asked.push({ sql, params });
    return rows;
  });
  return { queries, asked };
}

const LEDGER_COLUMNS: Columns = {
  bill_no: 'JY-1',
  trade_id: '101',
  status: 'synced',
  xingchen_id: 'X-1',
  source_modified: new Date('2024-06-18T02:00:00.000Z'),
  source_version_id: '7',
  content_hash: 'c1',
  synced_content_hash: 'c1',
  pending_operation: null,
  attempts: 2,
  last_error_code: null,
  last_error_message: null,
  first_synced_at: new Date('2024-06-18T02:01:00.000Z'),
  last_synced_at: '2024-06-18T02:02:00.000Z',
  cancelled_at: null,
  created_at: new Date('2024-06-18T02:00:30.000Z'),
  updated_at: new Date('2024-06-18T02:02:00.000Z'),
};

describe('LedgerQueries: checkpoint and counts', () => {
  it('reads the checkpoint of one stream as epoch ms, null before the first window or without a row', async () => {
    const stored = reader([{ checkpoint_at: new Date('2024-06-18T03:00:00.000Z'), lease_holder: 'a' }]);
    expect(await stored.queries.checkpoint('wdt.trade')).toEqual({
      checkpointMs: Date.parse('2024-06-18T03:00:00.000Z'),
      leaseHolder: 'a',
    });
    expect(stored.asked).toEqual([
      {
        sql: 'SELECT checkpoint_at, lease_holder FROM extractor_checkpoint WHERE name = $1',
        params: ['wdt.trade'],
      },
    ]);
    expect(await reader([{ checkpoint_at: null, lease_holder: null }]).queries.checkpoint('x')).toEqual({
      checkpointMs: null,
      leaseHolder: null,
    });
    expect(await reader([]).queries.checkpoint('x')).toBeNull();
  });

  it('counts rows by status (PostgreSQL counts arrive as text)', async () => {
    const { queries } = reader([
      { status: 'synced', n: '12' },
      { status: 'pending', n: '1' },
    ]);
    expect(await queries.countsByStatus()).toEqual({ synced: 12, pending: 1 });
  });

  it('counts the rows of one status', async () => {
    const { queries, asked } = reader([{ n: '3' }]);
    expect(await queries.countWithStatus('pending')).toBe(3);
    expect(asked[0].params).toEqual(['pending']);
  });
});

describe('LedgerQueries: rows and attempts', () => {
  it('maps ledger rows of the asked bills to LedgerRow', async () => {
    const { queries, asked } = reader([LEDGER_COLUMNS]);
    expect(await queries.rows(['JY-1', 'JY-2'])).toEqual([
      {
        billNo: 'JY-1',
        tradeId: '101',
        status: 'synced',
        xingchenId: 'X-1',
        sourceModified: new Date('2024-06-18T02:00:00.000Z'),
        sourceVersionId: '7',
        contentHash: 'c1',
        syncedContentHash: 'c1',
        pendingOperation: null,
        attempts: 2,
        lastErrorCode: null,
        lastErrorMessage: null,
        firstSyncedAt: new Date('2024-06-18T02:01:00.000Z'),
        lastSyncedAt: new Date('2024-06-18T02:02:00.000Z'),
        cancelledAt: null,
      },
    ]);
    expect(asked[0].params).toEqual([['JY-1', 'JY-2']]);
  });

  it("maps a bill's attempts, oldest first as asked", async () => {
    const { queries, asked } = reader([
      {
        id: '41',
        bill_no: 'JY-1',
        operation: 'create',
        outcome: 'ambiguous',
        xingchen_id: null,
        content_hash: 'c1',
        source_modified: null,
        error_code: 'timeout',
        error_message: 'no answer in 10 s',
        duration_ms: 10003,
        attempted_at: new Date('2024-06-18T02:00:40.000Z'),
      },
    ]);
    expect(await queries.attempts('JY-1')).toEqual([
      {
        id: '41',
        billNo: 'JY-1',
        operation: 'create',
        outcome: 'ambiguous',
        xingchenId: null,
        contentHash: 'c1',
        sourceModified: null,
        errorCode: 'timeout',
        errorMessage: 'no answer in 10 s',
        durationMs: 10003,
        attemptedAt: new Date('2024-06-18T02:00:40.000Z'),
      },
    ]);
    expect(asked[0]).toEqual({
      sql: 'SELECT * FROM sales_order_sync_attempts WHERE bill_no = $1 ORDER BY id',
      params: ['JY-1'],
    });
  });
});
