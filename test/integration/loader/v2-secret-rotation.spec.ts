import { expectEachCreatedOnce, loaderScenario, ordersAcross } from './loader-harness';

/**
 * V2 with a pushed authorization (XINGCHEN_OUTER_INSTANCE_ID): the app_secret rotates and the
 * app-token expires mid-stream; the token request with the old secret is answered 1030002006.
 */
describe('loader (v2): the app_secret rotates while the loader runs', () => {
  const s = loaderScenario();

  it('fetches the authorization again once, keeps going, dead-letters nothing, and creates every order once', async () => {
    const { topics, bills } = await ordersAcross(s, 'v2', 'JY-ROT', () => {
      expect(s.callsOf('v2', 'push_app_authorize')).toEqual({ ok: 1 });
      expect(s.callsOf('v2', 'token')).toEqual({ ok: 1 });

      const oldSecret = s.sandbox.credentials.v2.appSecret;
      expect(s.sandbox.rotateSecret()).not.toBe(oldSecret);
      s.sandbox.expireTokens();
    });

    // the old secret was refused once, the authorization fetched again once, one new token
    expect(s.callsOf('v2', 'token')).toEqual({ ok: 2, errcode_1030002006: 1 });
    expect(s.callsOf('v2', 'push_app_authorize')).toEqual({ ok: 2 });
    expect(s.callsOf('v2', 'sal_order_save').gw_4011).toBeGreaterThanOrEqual(1);
    await expectEachCreatedOnce(s, topics, bills);
  });
});
