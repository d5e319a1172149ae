import { type DataSource } from 'typeorm';
import { RetriableError } from '@app/contracts';
import { createDataSource } from '@app/persistence';
import { testDatabaseUrl } from '@app/testing';
import { PostgresLedgerStore, type AttemptRecord, type LedgerRow } from '../../../apps/loader/src';
import { attemptsOf, billNumber, ledgerRows } from './loader-harness';

const row = (billNo: string, changes: Partial<LedgerRow> = {}): LedgerRow => ({
  billNo,
  tradeId: `T-${billNo}`,
  status: 'pending',
  xingchenId: null,
  sourceModified: new Date('2024-06-18T02:00:00.000Z'),
  sourceVersionId: '7',
  contentHash: 'a'.repeat(64),
  syncedContentHash: null,
  pendingOperation: null,
  attempts: 0,
  lastErrorCode: null,
  lastErrorMessage: null,
  firstSyncedAt: null,
  lastSyncedAt: null,
  cancelledAt: null,
  ...changes,
});

const attempt = (billNo: string, changes: Partial<AttemptRecord> = {}): AttemptRecord => ({
  billNo,
  operation: 'create',
  outcome: 'success',
  xingchenId: 'X-1',
  contentHash: 'a'.repeat(64),
  sourceModified: new Date('2024-06-18T02:00:00.000Z'),
  errorCode: null,
  errorMessage: null,
  durationMs: 12,
  ...changes,
});

/** What another connection sees: only what is committed. */
async function committed(billNo: string) {
  return { ledger: (await ledgerRows([billNo])).get(billNo), attempts: (await attemptsOf(billNo)).length };
}

describe('the loader ledger in PostgreSQL: a bill under lock, few round trips, nothing lost', () => {
  let dataSource: DataSource;
  let store: PostgresLedgerStore;

  beforeAll(async () => {
    dataSource = await createDataSource({ url: testDatabaseUrl(), poolSize: 4 }).initialize();
    store = new PostgresLedgerStore(dataSource);
  });
  afterAll(async () => {
    await dataSource.destroy();
  });

  it('an intent is committed when putIntent resolves, while the bill stays locked against other workers', async () => {
    const billNo = billNumber('JY-LEDGER');
    await store.withBill(billNo, async (session) => {
      expect(await session.get()).toBeNull();
      await session.putIntent(row(billNo, { pendingOperation: 'create' }));

      expect((await committed(billNo)).ledger).toMatchObject({
        pending_operation: 'create',
        status: 'pending',
      });
      await expect(store.withBill(billNo, () => Promise.resolve('never'))).rejects.toMatchObject({
        reason: 'bill_locked',
      });
    });
  });

  it('other writes are held until the work ends, then committed together and the lock released', async () => {
    const billNo = billNumber('JY-LEDGER');
    await store.withBill(billNo, async (session) => {
      await session.put(row(billNo, { status: 'synced', xingchenId: 'X-1', attempts: 1 }));
      await session.appendAttempt(attempt(billNo));
      await session.appendAttempt(attempt(billNo, { operation: 'lookup', outcome: 'found' }));

      expect(await session.get()).toMatchObject({ status: 'synced', xingchenId: 'X-1' });
      expect(await committed(billNo)).toEqual({ ledger: undefined, attempts: 0 });
    });

    expect(await committed(billNo)).toMatchObject({
      ledger: { status: 'synced', xingchen_id: 'X-1', attempts: 1 },
      attempts: 2,
    });
    const read = await store.withBill(billNo, (session) => session.get());
    expect(read).toEqual(row(billNo, { status: 'synced', xingchenId: 'X-1', attempts: 1 }));
  });

  it('what was recorded before the work threw is still committed, and the work’s own error is what surfaces', async () => {
    const billNo = billNumber('JY-LEDGER');
    const failure = new RetriableError('xingchen timed out', { reason: 'timeout' });
    await expect(
      store.withBill(billNo, async (session) => {
        await session.put(row(billNo, { lastErrorCode: 'timeout', lastErrorMessage: 'xingchen timed out' }));
        await session.appendAttempt(attempt(billNo, { outcome: 'ambiguous', errorCode: 'timeout' }));
        throw failure;
      }),
    ).rejects.toBe(failure);

    expect(await committed(billNo)).toMatchObject({ ledger: { last_error_code: 'timeout' }, attempts: 1 });
  });

  it('text with quotes, backslashes and Chinese survives the literal SQL exactly', async () => {
    const billNo = `${billNumber("JY-O'Q")}\\n;--`;
    const message = `客户 "张三" 的订单 'x' \\ 不存在; DROP TABLE sales_order_ledger; --`;
    await store.withBill(billNo, async (session) => {
      await session.put(
        row(billNo, { status: 'rejected', lastErrorMessage: message, sourceVersionId: "v'2" }),
      );
      await session.appendAttempt(attempt(billNo, { outcome: 'business_error', errorMessage: message }));
    });

    const read = await store.withBill(billNo, (session) => session.get());
    expect(read).toMatchObject({ billNo, lastErrorMessage: message, sourceVersionId: "v'2" });
    expect((await committed(billNo)).attempts).toBe(1);
  });

  it('a write PostgreSQL refuses is a retriable database error; nothing half-written stays and the bill is free again', async () => {
    const billNo = billNumber('JY-LEDGER');
    const invalid = { ...row(billNo), status: 'no-such-status' } as unknown as LedgerRow;
    const error = await store
      .withBill(billNo, async (session) => {
        await session.appendAttempt(attempt(billNo));
        await session.putIntent(invalid);
      })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(RetriableError);
    expect(error).toMatchObject({ reason: 'database_error' });
    expect(await committed(billNo)).toEqual({ ledger: undefined, attempts: 0 });
    await expect(store.withBill(billNo, (session) => session.get())).resolves.toBeNull();
  });
});
