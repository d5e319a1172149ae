import { type Admin, type Kafka } from 'kafkajs';
import { type HealthCheckResult } from '@app/observability';

/**
 * Asks the cluster for its metadata every few seconds; readiness turns red when the last
 * successful answer is older than `staleAfterMs` (so within ~10 s of the broker stopping).
 */
export class KafkaClusterProbe {
  private admin: Admin | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastOkAt = 0;
  private lastError = 'not checked yet';
  private probing = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly intervalMs = 2000,
    private readonly staleAfterMs = 6000,
  ) {}

  start(): void {
    void this.probe();
    this.timer = setInterval(() => void this.probe(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.admin?.disconnect().catch(() => undefined);
  }

  check(): HealthCheckResult {
    const age = Date.now() - this.lastOkAt;
    if (age <= this.staleAfterMs) return { ok: true };
    return { ok: false, detail: `no metadata answer for ${Math.round(age / 1000)} s: ${this.lastError}` };
  }

  private async probe(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      this.admin ??= this.kafka.admin({ retry: { retries: 0 } });
      await this.admin.connect();
      await this.admin.describeCluster();
      this.lastOkAt = Date.now();
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      await this.admin?.disconnect().catch(() => undefined);
      this.admin = undefined;
    } finally {
      this.probing = false;
    }
  }
}
