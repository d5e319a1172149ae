import { deadLetterTopic, Headers } from '@app/contracts';
import { produce, readAll, testKafka, waitFor } from '@app/testing';
import { type DeadLetter, type DeadLetterRecord, type Job, type Page } from '../../../apps/console/src';
import { PASSWORDS, signIn, startConsole, type Client, type ConsoleUnderTest } from './console-harness';

const trade = (tradeNo: string) => ({
  trade_no: tradeNo,
  shop_no: 'NEW01',
  modified: '2024-06-18 10:00:00',
  receiver_mobile: '13812345678',
  receiver_address: '浙江省杭州市西湖区文三路 100 号',
});

const letter = (tradeNo: string, reason: string) => ({
  key: tradeNo,
  value: JSON.stringify(trade(tradeNo)),
  headers: {
    [Headers.dlqErrorReason]: reason,
    [Headers.dlqErrorClass]: 'NonRetriableError',
    [Headers.dlqErrorMessage]: `shop NEW01 is not mapped`,
    [Headers.dlqFailedAt]: '2024-06-18T02:00:01.000Z',
    [Headers.correlationId]: `corr-${tradeNo}`,
  },
});

describe('console API: dead letters browsed by reason, payloads masked, one, a selection or a reason redriven', () => {
  let console: ConsoleUnderTest;
  let operator: Client;
  let viewer: Client;

  beforeAll(async () => {
    console = await startConsole();
    await produce(testKafka(), deadLetterTopic(console.topics.raw), [
      letter('JY-DLQ-1', 'unmapped_shop'),
      letter('JY-DLQ-2', 'unmapped_shop'),
      letter('JY-DLQ-3', 'unmapped_shop'),
      letter('JY-DLQ-4', 'invalid_trade'),
    ]);
    operator = await signIn(console.url, console.users.operator, PASSWORDS.operator);
    viewer = await signIn(console.url, console.users.viewer, PASSWORDS.viewer);
  });
  afterAll(async () => {
    await console?.close();
  });

  const list = async (query = '') =>
    (await (await viewer.get(`/api/dead-letters/raw-dlq${query}`)).json()) as Page<DeadLetter>;
  const finished = (client: Client, job: Job) =>
    waitFor(
      async () => {
        const now = (await (await client.get(`/api/jobs/${job.id}`)).json()) as Job;
        return now.state === 'running' ? undefined : now;
      },
      { timeoutMs: 60000, description: `job ${job.id} ended` },
    );

  it('counts the queue by reason and error class, and filters by reason', async () => {
    const summary = (await (await viewer.get('/api/dead-letters')).json()) as {
      queues: Array<{ source: string; total: number; byReason: Array<{ reason: string; count: number }> }>;
    };
    const raw = summary.queues.find((q) => q.source === 'raw-dlq')!;
    expect(raw.total).toBe(4);
    expect(raw.byReason).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ reason: 'unmapped_shop', errorClass: 'NonRetriableError', count: 3 }),
        expect.objectContaining({ reason: 'invalid_trade', count: 1 }),
      ]),
    );
    const unmapped = await list('?reason=unmapped_shop');
    expect(unmapped.total).toBe(3);
    expect(unmapped.rows.map((r) => r.key).sort()).toEqual(['JY-DLQ-1', 'JY-DLQ-2', 'JY-DLQ-3']);
  });

  it('shows a payload with its headers, phone and address masked; an operator may reveal them (audited)', async () => {
    const [first] = (await list('?reason=invalid_trade')).rows;
    const path = `/api/dead-letters/raw-dlq/${first.partition}/${first.offset}`;
    const masked = (await (await viewer.get(path)).json()) as DeadLetterRecord;
    expect(masked.headers[Headers.correlationId]).toBe('corr-JY-DLQ-4');
    expect(masked.masked).toBe(true);
    const payload = masked.payload as Record<string, string>;
    expect(payload.trade_no).toBe('JY-DLQ-4');
    expect(payload.receiver_mobile).not.toContain('12345678');
    expect(payload.receiver_address).not.toContain('文三路');
    const revealed = (await (await operator.get(`${path}?reveal=true`)).json()) as DeadLetterRecord;
    expect((revealed.payload as Record<string, string>).receiver_mobile).toBe('13812345678');
  });

  it('redrives one selected dead letter, then the rest of its reason, to the replay topic with its headers', async () => {
    const unmapped = (await list('?reason=unmapped_shop')).rows;
    const one = unmapped.find((r) => r.key === 'JY-DLQ-1')!;
    const started = await operator.send('POST', '/api/dead-letters/raw-dlq/redrive', {
      kind: 'records',
      records: [{ partition: one.partition, offset: one.offset }],
    });
    expect(started.status).toBe(202);
    const done = await finished(operator, (await started.json()) as Job);
    expect(done).toMatchObject({
      state: 'done',
      progress: expect.objectContaining({ replayed: 1, scanned: 4 }),
    });
    let replayed = await readAll(testKafka(), console.topics.replay);
    expect(replayed.map((r) => r.key)).toEqual(['JY-DLQ-1']);
    expect(replayed[0].headers[Headers.correlationId]).toBe('corr-JY-DLQ-1');
    expect(Object.keys(replayed[0].headers).some((name) => name.startsWith('dlq-'))).toBe(false);
    expect((await list('?reason=unmapped_shop')).rows.find((r) => r.key === 'JY-DLQ-1')?.redrivenAt).toEqual(
      expect.any(String),
    );

    const byReason = await operator.send('POST', '/api/dead-letters/raw-dlq/redrive', {
      kind: 'reason',
      reason: 'unmapped_shop',
    });
    expect(await finished(operator, (await byReason.json()) as Job)).toMatchObject({
      state: 'done',
      progress: expect.objectContaining({ replayed: 3 }),
    });
    replayed = await readAll(testKafka(), console.topics.replay);
    expect(replayed.map((r) => r.key).sort()).toEqual(['JY-DLQ-1', 'JY-DLQ-1', 'JY-DLQ-2', 'JY-DLQ-3']);
  });

  it('refuses a selection that names nothing in the queue (400), and nothing is sent', async () => {
    const response = await operator.send('POST', '/api/dead-letters/raw-dlq/redrive', {
      kind: 'records',
      records: [{ partition: 0, offset: '999999' }],
    });
    expect(response.status).toBe(400);
    expect((await operator.send('POST', '/api/dead-letters/nowhere/redrive', { kind: 'all' })).status).toBe(
      404,
    );
  });
});
