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

  /** The first token, t1, asked for and issued with `lifetimeMs` left (negative: already expired). */
  const issueFirst = async (lifetimeMs: number) => {
    const first = manager.get();
    requests[0].resolve({ token: 't1', expiresAt: now + lifetimeMs });
    await first;
  };

  it('shares one token request between concurrent callers', async () => {
    const callers = Array.from({ length: 20 }, () => manager.get());
    expect(requests).toHaveLength(1);
    requests[0].resolve({ token: 't1', expiresAt: now + 86_400_000 });
    await expect(Promise.all(callers)).resolves.toEqual(Array(20).fill('t1'));
    await expect(manager.get()).resolves.toBe('t1');
    expect(manager.fetchCount).toBe(1);
  });

  it('refreshes shortly before expires (a tenth of the lifetime at most), once, serving the current token meanwhile', async () => {
    await issueFirst(10_000);
    now += 8_900; // margin = min(300 s, 10 s / 10) = 1 s
    await expect(manager.get()).resolves.toBe('t1');
    expect(requests).toHaveLength(1);
    now += 200;
    await expect(manager.get()).resolves.toBe('t1');
    await expect(manager.get()).resolves.toBe('t1');
    expect(requests).toHaveLength(2);
    requests[1].resolve({ token: 't2', expiresAt: now + 10_000 });
    await Promise.resolve();
    await expect(manager.get()).resolves.toBe('t2');
    expect(manager.fetchCount).toBe(2);
  });

  it('waits for the new token once the old one has expired', async () => {
    await issueFirst(10_000);
    now += 10_001;
    const a = manager.get();
    const b = manager.get();
    expect(requests).toHaveLength(2);
    requests[1].resolve({ token: 't2', expiresAt: now + 10_000 });
    await expect(Promise.all([a, b])).resolves.toEqual(['t2', 't2']);
  });

  it('uses the configured margin for long-lived tokens', async () => {
    await issueFirst(86_400_000);
    now += 86_400_000 - 300_001;
    await expect(manager.get()).resolves.toBe('t1');
    now += 2;
    void manager.get();
    expect(requests).toHaveLength(2);
  });

  it('refreshes once when many callers report the same refused token (4011)', async () => {
    await issueFirst(86_400_000);
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

  it('hands a failed token request to every caller for a hold time, then asks again (no storm)', async () => {
    const a = manager.get();
    const b = manager.get();
    requests[0].reject(new Error('429'));
    await expect(a).rejects.toThrow('429');
    await expect(b).rejects.toThrow('429');
    await expect(manager.get()).rejects.toThrow('429');
    expect(requests).toHaveLength(1);
    now += 1_001; // default hold: 1 s, doubling
    const c = manager.get();
    expect(requests).toHaveLength(2);
    requests[1].reject(new Error('429 again'));
    await expect(c).rejects.toThrow('429 again');
    now += 1_500;
    await expect(manager.get()).rejects.toThrow('429 again');
    now += 600;
    const d = manager.get();
    expect(requests).toHaveLength(3);
    requests[2].resolve({ token: 't2', expiresAt: now + 60_000 });
    await expect(d).resolves.toBe('t2');
  });

  it('keeps serving a still-valid token while refreshes fail', async () => {
    await issueFirst(10_000);
    now += 9_500;
    await expect(manager.get()).resolves.toBe('t1');
    requests[1].reject(new Error('429'));
    await Promise.resolve();
    await expect(manager.get()).resolves.toBe('t1');
    expect(requests).toHaveLength(2);
  });

  it('trusts a token whose expires is already past by our clock for the fallback lifetime', async () => {
    await issueFirst(-5_000);
    now += 59_000;
    await expect(manager.get()).resolves.toBe('t1');
    expect(requests).toHaveLength(1);
  });

  it('holds a failure as long as failureHoldMs says (bad credentials: a minute)', async () => {
    const held = new TokenManager(
      () => {
        const request = deferred<IssuedToken>();
        requests.push(request);
        return request.promise;
      },
      { refreshMarginMs: 1000, now: () => now, failureHoldMs: () => 60_000 },
    );
    const first = held.get();
    requests[0].reject(new Error('bad secret'));
    await expect(first).rejects.toThrow('bad secret');
    now += 59_000;
    await expect(held.get()).rejects.toThrow('bad secret');
    expect(requests).toHaveLength(1);
    now += 1_001;
    void held.get().catch(() => undefined);
    expect(requests).toHaveLength(2);
  });
});
