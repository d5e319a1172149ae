import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { FatalError, NonRetriableError, RetriableError, type NormalizedSalesOrder } from '@app/contracts';
import { createLogger, createMetrics } from '@app/observability';
import { classifyFailure, XingchenAmbiguousError, XingchenBusinessError } from '@app/xingchen-client';
import { MAX_LOAD_STEPS, type LoadStep } from './load-decision';
import { LoadSteps } from './load-steps';
import { type LedgerSession, type MasterDataResolverPort, type XingchenPort } from './loader.ports';

const order = {
  kind: 'order',
  billNo: 'JY001',
  lines: [],
  customerNumber: 'C1',
  source: { modified: '2024-05-01T10:00:00+08:00', tradeId: 'T1' },
  contentHash: 'a'.repeat(64),
} as unknown as NormalizedSalesOrder;

function loop(next: () => LoadStep) {
  const lookups: string[] = [];
  const xingchen = {
    findSalesOrderByBillNo: async (billNo: string) => {
      lookups.push(billNo);
      return null;
    },
  } as unknown as XingchenPort;
  const session: LedgerSession = {
    get: async () => null,
    put: async () => undefined,
    putIntent: async () => undefined,
    appendAttempt: async () => undefined,
  };
  const logger = createLogger('test', 'silent', new Writable({ write: (_c, _e, cb) => cb() }));
  const steps = new LoadSteps(
    xingchen,
    {} as MasterDataResolverPort,
    createMetrics(new Registry()),
    logger,
    () => new Date(),
    next,
  );
  return { lookups, run: () => steps.order(session, order) };
}

describe('LoadSteps: the bounded loop', () => {
  it(`stops with an error after ${MAX_LOAD_STEPS} steps without an outcome`, async () => {
    const row = { billNo: 'JY001' } as never;
    const t = loop(() => ({
      kind: 'lookup',
      row,
      next: { phase: 'pending-create-looked-up', order, row, stale: false },
    }));
    await expect(t.run()).rejects.toThrow(`loader: bill JY001 has no outcome after ${MAX_LOAD_STEPS} steps`);
    expect(t.lookups).toHaveLength(MAX_LOAD_STEPS);
  });

  it('returns the outcome of the first finish step', async () => {
    const t = loop(() => ({ kind: 'finish', outcome: 'stale' }));
    await expect(t.run()).resolves.toBe('stale');
    expect(t.lookups).toEqual([]);
  });
});

describe('classifyFailure (the client error module): what the loader branches on', () => {
  it.each([
    ['refused', new XingchenBusinessError('no', { reason: 'business_error', errcode: 1 })],
    ['refused', new NonRetriableError('unknown', { reason: 'unknown_material' })],
    ['ambiguous', new XingchenAmbiguousError('no answer', { reason: 'ambiguous_timeout' })],
    ['retriable', new RetriableError('502', { reason: 'server_error' })],
    ['fatal', new FatalError('secret', { reason: 'signature_invalid' })],
  ])('%s: %p', (kind, error) => {
    const failure = classifyFailure(error);
    expect(failure?.kind).toBe(kind);
    expect(failure?.error).toBe(error);
  });

  it('a programming error is none of them', () => {
    expect(classifyFailure(new TypeError('x is undefined'))).toBeNull();
  });
});
