import { Registry } from 'prom-client';
import {
  NonRetriableError,
  RetriableError,
  type LoaderOutcome,
  type NormalizedOrderMessage,
} from '@app/contracts';
import { Outcome, type ConsumedMessage, type HandlerContext } from '@app/kafka';
import { createLogger, createMetrics } from '@app/observability';
import { type LoaderConfig } from './loader.tokens';
import { NormalizedOrderHandler } from './normalized-order.handler';
import { type OrderLoader } from './order-loader.service';

const cancellation = {
  kind: 'cancellation',
  schemaVersion: 1,
  billNo: 'JY001',
  source: {
    system: 'wdt',
    tradeId: 'T1',
    tradeNo: 'JY001',
    shopNo: 'TM001',
    warehouseNo: 'WH-SH01',
    tradeStatus: 5,
    modified: '2024-05-01T12:00:00+08:00',
  },
};

const record = (value: string): ConsumedMessage => ({
  topic: 'normalized',
  partition: 0,
  offset: '3',
  key: 'JY001',
  value: Buffer.from(value),
  headers: {},
  timestamp: '0',
  attempt: 1,
});

/** The loader's two public methods, scripted. */
class FakeLoader implements Pick<OrderLoader, 'handle' | 'recordFailure'> {
  next: () => Promise<LoaderOutcome> = () => Promise.resolve('created');
  handled: NormalizedOrderMessage[] = [];
  failures: Array<{ message: NormalizedOrderMessage; error: unknown }> = [];
  recordFailureError: Error | undefined;

  handle(message: NormalizedOrderMessage): Promise<LoaderOutcome> {
    this.handled.push(message);
    return this.next();
  }

  async recordFailure(message: NormalizedOrderMessage, error: unknown): Promise<void> {
    this.failures.push({ message, error });
    if (this.recordFailureError) throw this.recordFailureError;
  }
}

describe('NormalizedOrderHandler: the loader decision as a runner outcome', () => {
  const first: HandlerContext = { attempt: 1, lastAttempt: false };
  const last: HandlerContext = { attempt: 9, lastAttempt: true };
  let loader: FakeLoader;
  let handler: NormalizedOrderHandler;

  beforeEach(() => {
    loader = new FakeLoader();
    handler = new NormalizedOrderHandler(
      loader as unknown as OrderLoader,
      { LOADER_MAX_IN_FLIGHT: 4, DATABASE_POOL_SIZE: 10 } as LoaderConfig,
      createMetrics(new Registry()),
      createLogger('loader-test', 'silent'),
    );
  });

  it.each<[LoaderOutcome, Outcome]>([
    ['created', Outcome.done],
    ['updated', Outcome.done],
    ['cancelled', Outcome.done],
    ['unchanged', Outcome.skip],
    ['stale', Outcome.skip],
    ['audited', Outcome.skip],
  ])('maps the loader outcome %s to the runner outcome %j', async (loaded, expected) => {
    loader.next = () => Promise.resolve(loaded);
    await expect(handler.handle(record(JSON.stringify(cancellation)), first)).resolves.toBe(expected);
    expect(loader.handled.map((m) => [m.kind, m.billNo])).toEqual([['cancellation', 'JY001']]);
  });

  it('throws a NonRetriableError for a record that is not JSON or not a normalized order, without loading', async () => {
    await expect(handler.handle(record('{'), first)).rejects.toMatchObject({
      constructor: NonRetriableError,
      reason: 'invalid_json',
    });
    await expect(handler.handle(record('{"kind":"refund"}'), last)).rejects.toMatchObject({
      constructor: NonRetriableError,
      reason: 'invalid_message',
    });
    expect([loader.handled, loader.failures]).toEqual([[], []]);
  });

  it('lets a retriable failure through before the last attempt (the runner retries), recording nothing', async () => {
    const timeout = new RetriableError('xingchen timed out', { reason: 'timeout' });
    loader.next = () => Promise.reject(timeout);
    await expect(handler.handle(record(JSON.stringify(cancellation)), first)).rejects.toBe(timeout);
    expect(loader.failures).toEqual([]);
  });

  it('on the last attempt records `failed` once with the parsed order and dead-letters as retries_exhausted', async () => {
    const timeout = new RetriableError('xingchen timed out', { reason: 'timeout' });
    loader.next = () => Promise.reject(timeout);
    await expect(handler.handle(record(JSON.stringify(cancellation)), last)).resolves.toEqual({
      kind: 'dead_letter',
      reason: 'retries_exhausted:timeout',
      error: timeout,
    });
    expect(loader.failures).toHaveLength(1);
    expect(loader.failures[0].message).toBe(loader.handled[0]);
    expect(loader.failures[0].error).toBe(timeout);
  });

  it('still dead-letters when the ledger cannot record the failure', async () => {
    const timeout = new RetriableError('xingchen timed out', { reason: 'timeout' });
    loader.next = () => Promise.reject(timeout);
    loader.recordFailureError = new Error('pool exhausted');
    await expect(handler.handle(record(JSON.stringify(cancellation)), last)).resolves.toMatchObject({
      kind: 'dead_letter',
      reason: 'retries_exhausted:timeout',
    });
    expect(loader.failures).toHaveLength(1);
  });

  it('lets a rejection through on the last attempt too (the loader recorded it already)', async () => {
    const rejected = new NonRetriableError('customer not found', { reason: 'customer_not_found' });
    loader.next = () => Promise.reject(rejected);
    await expect(handler.handle(record(JSON.stringify(cancellation)), last)).rejects.toBe(rejected);
    expect(loader.failures).toEqual([]);
  });
});
