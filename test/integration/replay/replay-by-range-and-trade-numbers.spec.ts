import { type Admin, type Kafka } from 'kafkajs';
import { Headers } from '@app/contracts';
import { BatchingProducer, createKafka } from '@app/kafka';
import { createLogger, createServiceMetrics } from '@app/observability';
import { ReplayService, type ReplaySource } from '@app/replay';
import { createTopics, produce, randomTopic, readAll, testBrokers, testKafka } from '@app/testing';

describe('replay: re-sends a time range and/or a list of trade numbers to the replay topic', () => {
  let kafka: Kafka;
  let admin: Admin;
  let producer: BatchingProducer;

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    producer = new BatchingProducer(
      createKafka({ brokers: testBrokers(), clientId: 'replay-test' }),
      createServiceMetrics('t', 't', 't'),
      createLogger('t', 'silent'),
    );
    await producer.connect();
  });
  afterAll(async () => {
    await producer.disconnect();
    await admin.disconnect();
  });

  const serviceFor = (source: string, dlq: string, target: string) => {
    const topics = { raw: source, 'raw-dlq': dlq, 'normalized-dlq': dlq } as Record<ReplaySource, string>;
    const targets = { raw: target, 'raw-dlq': target, 'normalized-dlq': target } as Record<
      ReplaySource,
      string
    >;
    return new ReplayService(kafka, producer, { source: topics, target: targets });
  };

  it('replays by trade numbers and by broker-time range, keeping key, value and headers', async () => {
    const [source, dlq, target] = await createTopics(
      admin,
      [randomTopic('raw'), randomTopic('raw-dlq'), randomTopic('replay')],
      3,
    );
    const early = Date.now() - 60_000;
    await produce(kafka, source, [
      {
        key: 'JY1',
        value: '{"trade_no":"JY1"}',
        timestamp: String(early),
        headers: { [Headers.correlationId]: 'c1' },
      },
      { key: 'JY2', value: '{"trade_no":"JY2"}', timestamp: String(early) },
    ]);
    const cut = new Date(early + 30_000);
    await produce(kafka, source, [
      { key: 'JY3', value: '{"trade_no":"JY3"}' },
      { key: 'JY1', value: '{"trade_no":"JY1","v":2}' },
    ]);
    const service = serviceFor(source, dlq, target);

    const byNumbers = await service.run({ source: 'raw', tradeNos: ['JY1'] });
    expect(byNumbers).toMatchObject({ state: 'done', scanned: 4, replayed: 2 });
    const afterNumbers = await readAll(kafka, target);
    expect(afterNumbers.map((r) => r.value).sort()).toEqual([
      '{"trade_no":"JY1","v":2}',
      '{"trade_no":"JY1"}',
    ]);
    expect(afterNumbers.find((r) => r.value === '{"trade_no":"JY1"}')!.headers).toMatchObject({
      [Headers.correlationId]: 'c1',
      [Headers.replayId]: byNumbers.id,
    });

    const byTime = await service.run({ source: 'raw', from: cut });
    expect(byTime).toMatchObject({ state: 'done', replayed: 2 });
    const all = await readAll(kafka, target);
    expect(
      all
        .filter((r) => r.headers[Headers.replayId] === byTime.id)
        .map((r) => r.key)
        .sort(),
    ).toEqual(['JY1', 'JY3']);
  });

  it('redrives a DLQ by reason and drops the dlq-* headers', async () => {
    const [source, dlq, target] = await createTopics(
      admin,
      [randomTopic('raw'), randomTopic('dlq'), randomTopic('replay')],
      1,
    );
    await produce(kafka, dlq, [
      {
        key: 'JY7',
        value: 'a',
        headers: {
          [Headers.dlqErrorReason]: 'unmapped_shop',
          [Headers.dlqErrorMessage]: 'shop X is not mapped',
          [Headers.correlationId]: 'c7',
        },
      },
      { key: 'JY8', value: 'b', headers: { [Headers.dlqErrorReason]: 'invalid_trade' } },
    ]);
    const result = await serviceFor(source, dlq, target).run({ source: 'raw-dlq', reason: 'unmapped_shop' });
    expect(result).toMatchObject({ state: 'done', scanned: 2, replayed: 1 });
    const [record] = await readAll(kafka, target);
    expect(record.key).toBe('JY7');
    expect(record.headers).toEqual({ [Headers.correlationId]: 'c7', [Headers.replayId]: result.id });
  });

  it('refuses a raw replay without a range or trade numbers', async () => {
    const service = serviceFor('a', 'b', 'c');
    await expect(service.run({ source: 'raw' })).rejects.toThrow('needs a time range or trade numbers');
  });
});
