import { expectEachCreatedOnce, loaderScenario, ordersAcross } from './loader-harness';

/** Every V1 access token expires mid-stream: one new login shared by every call in flight, nothing lost. */
describe('loader (v1): access tokens expiring mid-stream', () => {
  const s = loaderScenario();

  it('logs in exactly once more, dead-letters nothing, and creates every order once', async () => {
    const { topics, bills } = await ordersAcross(s, 'v1', 'JY-V1TOK', () => {
      expect(s.callsOf('v1', 'login')).toEqual({ ok: 1 });

      s.sandbox.expireTokens();
    });

    // the expiry really was met, and answered by one login (the account set is not fetched again)
    expect(s.callsOf('v1', 'sal_order_save').gw_4011).toBeGreaterThanOrEqual(1);
    expect(s.callsOf('v1', 'login')).toEqual({ ok: 2 });
    expect(s.callsOf('v1', 'account_group')).toEqual({ ok: 1 });
    await expectEachCreatedOnce(s, topics, bills);
  });
});
