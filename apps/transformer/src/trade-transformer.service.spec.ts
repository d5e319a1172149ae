import { Registry } from 'prom-client';
import { NonRetriableError, RetriableError } from '@app/contracts';
import { Outcome, type BatchingProducer, type ConsumedMessage, type OutgoingMessage } from '@app/kafka';
import { parseMappingRules } from '@app/mapping';
import { createLogger, createMetrics, type Metrics } from '@app/observability';
import { aTradeLine, tradeFactory } from '@app/testing';
import { TradeTransformer } from './trade-transformer.service';

class FakeProducer implements Pick<BatchingProducer, 'send'> {
  readonly sent: Array<{ topic: string; messages: OutgoingMessage[] }> = [];
  failWith: Error | undefined;

  async send(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.sent.push({ topic, messages });
  }
}

/** The canonical trade without the optional fields, as an early WDT answer. */
const trade = tradeFactory({
  trade_id: '1',
  trade_no: 'JY1',
  shop_name: undefined,
  pay_time: undefined,
  logistics_no: undefined,
  tax_rate: undefined,
  trade_time: '2024-03-01 23:59:59',
  modified: '2024-03-02 08:00:00',
  created: '2024-03-01 23:59:00',
  goods_list: [aTradeLine({ rec_id: '11', goods_name: undefined, tax_rate: undefined })],
});

const message = (value: unknown, headers: Record<string, string> = {}): ConsumedMessage => ({
  topic: 'raw',
  partition: 0,
  offset: '7',
  key: 'JY1',
  value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  headers,
  timestamp: '0',
  attempt: 1,
});

describe('TradeTransformer', () => {
  let producer: FakeProducer;
  let metrics: Metrics;
  let transformer: TradeTransformer;
  const counted = async (outcome: string): Promise<number> =>
    (await metrics.transformerOrders.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;

  beforeEach(() => {
    producer = new FakeProducer();
    metrics = createMetrics(new Registry());
    transformer = new TradeTransformer(
      parseMappingRules({ customers: { byShop: { TM001: 'CUST-TM001' } } }),
      { raw: 'raw', replay: 'replay', normalized: 'normalized' },
      producer as unknown as BatchingProducer,
      metrics,
      createLogger('transformer-test', 'silent'),
    );
  });

  it('produces a mapped order keyed by bill number with the provenance headers, then succeeds', async () => {
    await expect(
      transformer.handle(message(trade(), { 'correlation-id': 'corr-1', 'replay-id': 'r-9' })),
    ).resolves.toBe(Outcome.done);
    expect(producer.sent).toHaveLength(1);
    const [{ topic, messages }] = producer.sent;
    expect(topic).toBe('normalized');
    expect(messages[0].key).toBe('JY1');
    expect(messages[0].headers).toEqual({
      'correlation-id': 'corr-1',
      'schema-version': '1',
      'source-system': 'wdt',
      'source-modified': '2024-03-02T08:00:00+08:00',
      'replay-id': 'r-9',
    });
    const order = JSON.parse(messages[0].value.toString());
    expect([order.kind, order.billNo, order.billDate, order.lines[0].taxPrice]).toEqual([
      'order',
      'JY1',
      '2024-03-01',
      '59.9000',
    ]);
    expect(await counted('mapped')).toBe(1);
  });

  it('exports every outcome from the start', async () => {
    expect((await metrics.transformerOrders.get()).values.map((v) => [v.labels.outcome, v.value])).toEqual([
      ['mapped', 0],
      ['filtered', 0],
      ['cancelled', 0],
      ['invalid', 0],
    ]);
  });

  it('generates a correlation id when the raw message has none', async () => {
    await transformer.handle(message(trade()));
    expect(producer.sent[0].messages[0].headers?.['correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('produces a cancellation for status 5', async () => {
    await expect(transformer.handle(message(trade({ trade_status: 5 })))).resolves.toBe(Outcome.done);
    expect(JSON.parse(producer.sent[0].messages[0].value.toString()).kind).toBe('cancellation');
    expect(await counted('cancelled')).toBe(1);
  });

  it('skips a filtered trade without producing', async () => {
    await expect(transformer.handle(message(trade({ trade_status: 30 })))).resolves.toBe(Outcome.skip);
    expect(producer.sent).toEqual([]);
    expect(await counted('filtered')).toBe(1);
  });

  it('dead-letters an invalid trade with a NonRetriableError carrying the reason (the runner writes the DLQ)', async () => {
    const outcome = await transformer.handle(message('not json {'));
    expect(outcome).toMatchObject({ kind: 'dead_letter', reason: 'not_json' });
    const error = outcome.kind === 'dead_letter' ? outcome.error : undefined;
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as NonRetriableError).reason).toBe('not_json');
    expect((error as NonRetriableError).message).toMatch(/^the message is not JSON/);
    expect(producer.sent).toEqual([]);
    expect(await counted('invalid')).toBe(1);
  });

  it('turns a failed produce into a RetriableError and counts nothing', async () => {
    producer.failWith = new Error('broker down');
    const error = await transformer.handle(message(trade())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriableError);
    expect((error as RetriableError).reason).toBe('produce_failed');
    expect(await counted('mapped')).toBe(0);
  });
});
