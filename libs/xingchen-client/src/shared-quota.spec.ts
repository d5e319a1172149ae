import { Registry } from 'prom-client';
import { createMetrics } from '@app/observability';
import { InMemoryCallBudgetStore, systemClock } from '@app/runtime';
import { accountSetKey, createXingchenLimiter } from './shared-quota';
import { type XingchenClientConfig, type XingchenFamilyConfig } from './xingchen.types';

const config = (family: XingchenFamilyConfig, baseUrl = 'https://api.kingdee.com'): XingchenClientConfig => ({
  baseUrl,
  clientId: '100001',
  clientSecret: 'secret',
  family,
  rateLimitPerMinute: 600,
  maxConcurrency: 4,
  requestTimeoutMs: 1000,
  tokenRefreshMarginMs: 60_000,
});

const v1 = (accountId?: string): XingchenFamilyConfig => ({
  api: 'v1',
  username: 'ops',
  password: 'pw',
  ...(accountId ? { accountId } : {}),
});

describe('the account set a client spends the quota of', () => {
  it('is named by the family and the account, never by the process', () => {
    expect(accountSetKey(config(v1('A1')))).toBe('v1:api.kingdee.com:account:A1');
    expect(accountSetKey(config(v1()))).toBe('v1:api.kingdee.com:user:ops');
    expect(
      accountSetKey(
        config({ api: 'v2', credentials: { kind: 'static', appKey: 'K', appSecret: 's', domain: 'd' } }),
      ),
    ).toBe('v2:api.kingdee.com:app:K');
    expect(
      accountSetKey(config({ api: 'v2', credentials: { kind: 'authorize', outerInstanceId: 'O' } })),
    ).toBe('v2:api.kingdee.com:outer:O');
    // two gateways (a sandbox and production) never share a budget
    expect(accountSetKey(config(v1('A1'), 'http://127.0.0.1:18081'))).not.toBe(
      accountSetKey(config(v1('A1'))),
    );
  });
});

describe('the client limiter and its metrics', () => {
  it('claims from the shared budget, and a throttled answer lowers the shared pace', async () => {
    const metrics = createMetrics(new Registry());
    const store = new InMemoryCallBudgetStore();
    const cfg = config(v1('A1'));
    const { limiter, rate } = createXingchenLimiter(cfg, metrics, systemClock, undefined, { store });
    await limiter.acquire();
    expect((await metrics.quotaTokensClaimed.get()).values[0].value).toBeGreaterThanOrEqual(1);
    expect((await metrics.quotaMode.get()).values).toContainEqual(
      expect.objectContaining({ labels: { mode: 'shared' }, value: 1 }),
    );
    expect(rate()).toBeCloseTo((600 * 0.95) / 60);
    limiter.onThrottled(1000);
    await new Promise((resolve) => setImmediate(resolve));
    expect((await metrics.quotaLowerings.get()).values[0].value).toBe(1);
    expect(store.state(accountSetKey(cfg)).factor).toBeCloseTo(0.7);
    expect((await metrics.quotaPace.get()).values[0].value).toBeCloseTo(0.7);
  });

  it('without a budget, says it paces the process alone', async () => {
    const metrics = createMetrics(new Registry());
    createXingchenLimiter(config(v1('A1')), metrics, systemClock, undefined, undefined);
    expect((await metrics.quotaMode.get()).values).toContainEqual(
      expect.objectContaining({ labels: { mode: 'local' }, value: 1 }),
    );
  });
});
