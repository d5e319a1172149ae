/** An app-token and its expiry (epoch ms, as the gateway reports it). */
export interface IssuedToken {
  token: string;
  expiresAt: number;
}

export interface TokenManagerOptions {
  /** Refresh this long before `expires` (capped at a tenth of the token's lifetime). */
  refreshMarginMs: number;
  /** Used when `expires` is already past by our clock (skew): trust the token this long. */
  fallbackLifetimeMs?: number;
  now?: () => number;
}

/**
 * One tenant's app-token: fetched once and shared by every concurrent caller (one request in
 * flight at most), kept until shortly before it expires, dropped when the gateway refuses it.
 */
export class TokenManager {
  private current: { token: string; validUntil: number } | undefined;
  private inFlight: Promise<string> | undefined;
  private readonly now: () => number;
  private fetches = 0;

  constructor(
    private readonly fetchToken: () => Promise<IssuedToken>,
    private readonly options: TokenManagerOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Token requests made so far (for tests and logs). */
  get fetchCount(): number {
    return this.fetches;
  }

  async get(): Promise<string> {
    if (this.current && this.now() < this.current.validUntil) return this.current.token;
    if (!this.inFlight) {
      this.fetches++;
      const requestedAt = this.now();
      this.inFlight = this.fetchToken()
        .then((issued) => {
          this.current = { token: issued.token, validUntil: this.validUntil(issued, requestedAt) };
          return issued.token;
        })
        .finally(() => {
          this.inFlight = undefined;
        });
    }
    return this.inFlight;
  }

  /** The gateway refused `token` (4010/4011): forget it unless it was already replaced. */
  invalidate(token: string): void {
    if (this.current?.token === token) this.current = undefined;
  }

  private validUntil(issued: IssuedToken, requestedAt: number): number {
    const lifetime = issued.expiresAt - requestedAt;
    if (lifetime <= 0) return requestedAt + (this.options.fallbackLifetimeMs ?? 60000);
    return issued.expiresAt - Math.min(this.options.refreshMarginMs, lifetime / 10);
  }
}
