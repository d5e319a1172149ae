import { type Admin, type Kafka } from 'kafkajs';
import { groupLag, readAll, testKafka, waitFor } from '@app/testing';
import { type XingchenSandbox } from '../../../apps/xingchen-sandbox/src';
import {
  billNumber,
  callsOf,
  familyEnv,
  loaderCounts,
  loaderTopics,
  normalizedOrder,
  produceOrders,
  startLoader,
  startSandbox,
  type RunningLoader,
} from './loader-harness';

/** V2 app-tokens live 3 s; the quota stretches the run over ~8 s: refreshed when due, never per request. */
describe('loader (v2): app-tokens expiring every few seconds', () => {
  let kafka: Kafka;
  let admin: Admin;
  let sandbox: XingchenSandbox;
  let loader: RunningLoader | undefined;

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    // the token endpoint allows one call per second (a storm would hit 429 at once)
    sandbox = await startSandbox({
      tokenTtlSeconds: 3,
      rateLimitPerMinute: 300,
      tokenRateLimitPerMinute: 60,
    });
  });
  afterAll(async () => {
    await loader?.close();
    await sandbox.close();
    await admin.disconnect();
  });

  it('syncs every order without failures and without a token-request storm', async () => {
    const topics = await loaderTopics(admin);
    const bills = Array.from({ length: 40 }, () => billNumber('JY-TOK'));
    await produceOrders(
      kafka,
      topics.normalized,
      bills.map((billNo) => normalizedOrder({ billNo })),
    );
    const started = Date.now();
    loader = await startLoader(topics, sandbox, {
      ...familyEnv('v2'),
      XINGCHEN_TOKEN_REFRESH_MARGIN_SECONDS: '300',
    });

    await waitFor(async () => (await groupLag(admin, topics.group, topics.normalized)) === 0, {
      timeoutMs: 90_000,
      description: 'lag 0',
    });
    const seconds = (Date.now() - started) / 1000;

    expect(sandbox.orders().filter((o) => bills.includes(o.billno))).toHaveLength(40);
    expect(await readAll(kafka, topics.dlq)).toEqual([]);
    expect(await loaderCounts(loader.url)).toEqual({ created: 40 });
    const stats = sandbox.stats();
    // at most one token per lifetime (plus the first), never one per request
    expect(stats.tokensIssued).toBeGreaterThanOrEqual(2);
    expect(stats.tokensIssued).toBeLessThanOrEqual(Math.ceil(seconds / 2.7) + 2);
    expect(callsOf(sandbox, 'v2', 'token').ok).toBe(stats.tokensIssued);
    expect(callsOf(sandbox, 'v2', 'token').http_429).toBeUndefined();
    // the authorization is fetched once: the secret never rotated
    expect(callsOf(sandbox, 'v2', 'push_app_authorize')).toEqual({ ok: 1 });
    // an expired token is refused at most once per expiry
    expect(callsOf(sandbox, 'v2', 'sal_order_save').gw_4011 ?? 0).toBeLessThanOrEqual(stats.tokensIssued);
  });
});
