import { TokenManager, type IssuedToken } from './token-manager';

const deferred = <T>() => {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

describe('TokenManager', () => {
  let now: number;
  let requests: Array<ReturnType<typeof deferred<IssuedToken>>>;
  let manager: TokenManager;

  beforeEach(() => {
    now = 1_000_000;
    requests = [];
    manager = new TokenManager(
      () => {
        const request = deferred<IssuedToken>();
        requests.push(request);
        return request.promise;
      },
      { refreshMarginMs: 300_000, now: () => now },
    );
  });

  it('shares one token request between concurrent callers', async () => {
    const callers = Array.from({ length: 20 }, () => manager.get());
    expect(requests).toHaveLength(1);
    requests[0].resolve({ token: 't1', expiresAt: now + 86_400_000 });
    await expect(Promise.all(callers)).resolves.toEqual(Array(20).fill('t1'));
    await expect(manager.get()).resolves.toBe('t1');
    expect(manager.fetchCount).toBe(1);
  });

  it('refreshes shortly before expires (a tenth of the lifetime at most), once', async () => {
    const first = manager.get();
    requests[0].resolve({ token: 't1', expiresAt: now + 10_000 });
    await first;
    now += 8_900; // margin = min(300 s, 10 s / 10) = 1 s
    await expect(manager.get()).resolves.toBe('t1');
    now += 200;
    const a = manager.get();
    const b = manager.get();
    expect(requests).toHaveLength(2);
    requests[1].resolve({ token: 't2', expiresAt: now + 10_000 });
    await expect(Promise.all([a, b])).resolves.toEqual(['t2', 't2']);
  });

  it('uses the configured margin for long-lived tokens', async () => {
    const first = manager.get();
    requests[0].resolve({ token: 't1', expiresAt: now + 86_400_000 });
    await first;
    now += 86_400_000 - 300_001;
    await expect(manager.get()).resolves.toBe('t1');
    now += 2;
    void manager.get();
    expect(requests).toHaveLength(2);
  });

  it('refreshes once when many callers report the same refused token (4011)', async () => {
    const first = manager.get();
    requests[0].resolve({ token: 't1', expiresAt: now + 86_400_000 });
    await first;
    // ten in-flight calls all get 4011 with t1
    for (let i = 0; i < 10; i++) manager.invalidate('t1');
    const retries = Array.from({ length: 10 }, () => manager.get());
    expect(requests).toHaveLength(2);
    requests[1].resolve({ token: 't2', expiresAt: now + 86_400_000 });
    await expect(Promise.all(retries)).resolves.toEqual(Array(10).fill('t2'));
    // a late report about the old token does not drop the new one
    manager.invalidate('t1');
    await expect(manager.get()).resolves.toBe('t2');
    expect(manager.fetchCount).toBe(2);
  });

  it('does not cache a failed token request; the next caller tries again', async () => {
    const a = manager.get();
    const b = manager.get();
    requests[0].reject(new Error('boom'));
    await expect(a).rejects.toThrow('boom');
    await expect(b).rejects.toThrow('boom');
    const c = manager.get();
    expect(requests).toHaveLength(2);
    requests[1].resolve({ token: 't2', expiresAt: now + 60_000 });
    await expect(c).resolves.toBe('t2');
  });

  it('trusts a token whose expires is already past by our clock for the fallback lifetime', async () => {
    const first = manager.get();
    requests[0].resolve({ token: 't1', expiresAt: now - 5_000 });
    await first;
    now += 59_000;
    await expect(manager.get()).resolves.toBe('t1');
    expect(requests).toHaveLength(1);
  });
});
