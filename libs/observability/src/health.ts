export interface HealthCheckResult {
  ok: boolean;
  detail?: string;
}

/** One dependency's readiness: the Kafka producer, the consumer group, PostgreSQL, a fatal source error. */
export interface HealthIndicator {
  readonly name: string;
  check(): Promise<HealthCheckResult> | HealthCheckResult;
}

/** Components register their indicators here; /health/ready is green only when all are. */
export class HealthRegistry {
  private readonly indicators = new Map<string, HealthIndicator>();

  register(indicator: HealthIndicator): void {
    this.indicators.set(indicator.name, indicator);
  }

  async readiness(timeoutMs = 2000): Promise<{ ok: boolean; checks: Record<string, HealthCheckResult> }> {
    const entries = await Promise.all(
      [...this.indicators.values()].map(async (indicator) => {
        const result = await Promise.race([
          Promise.resolve()
            .then(() => indicator.check())
            .catch((error: unknown) => ({
              ok: false,
              detail: error instanceof Error ? error.message : String(error),
            })),
          new Promise<HealthCheckResult>((resolve) => {
            const timer = setTimeout(
              () => resolve({ ok: false, detail: `no answer in ${timeoutMs} ms` }),
              timeoutMs,
            );
            timer.unref();
          }),
        ]);
        return [indicator.name, result] as const;
      }),
    );
    const checks = Object.fromEntries(entries);
    return { ok: entries.every(([, result]) => result.ok), checks };
  }
}
