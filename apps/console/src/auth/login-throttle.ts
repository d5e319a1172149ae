/**
 * Failed sign-ins per client address and per user name: after `limit` failures within `windowMs`
 * the next attempt is refused until the window passes (a password cannot be guessed at speed).
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit = 10,
    private readonly windowMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until this key may try again; 0 when it may now. */
  retryAfterMs(...keys: string[]): number {
    const now = this.now();
    let wait = 0;
    for (const key of keys) {
      const recent = (this.failures.get(key) ?? []).filter((at) => now - at < this.windowMs);
      this.failures.set(key, recent);
      if (recent.length >= this.limit) wait = Math.max(wait, recent[0] + this.windowMs - now);
    }
    return wait;
  }

  failed(...keys: string[]): void {
    const now = this.now();
    for (const key of keys) this.failures.set(key, [...(this.failures.get(key) ?? []), now]);
    if (this.failures.size > 10_000) this.failures.clear();
  }

  succeeded(...keys: string[]): void {
    for (const key of keys) this.failures.delete(key);
  }
}
