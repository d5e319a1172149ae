import { type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type Logger } from 'pino';
import { LOGGER, ObservabilityModule, PinoNestLogger } from './observability.module';

/** A service's ObservabilityModule from its validated `serviceEnv` variables. */
export const serviceObservability = (
  service: string,
  config: { BUILD_VERSION: string; BUILD_COMMIT: string; LOG_LEVEL: string },
): DynamicModule =>
  ObservabilityModule.forRoot({
    service,
    version: config.BUILD_VERSION,
    commit: config.BUILD_COMMIT,
    logLevel: config.LOG_LEVEL,
  });

/** A service's Nest application: Nest logs through the service's pino logger; shutdown hooks on. */
export async function createServiceApp(
  module: DynamicModule,
): Promise<{ app: INestApplication; logger: Logger }> {
  const app = await NestFactory.create(module, { bufferLogs: true });
  const logger = app.get<Logger>(LOGGER);
  app.useLogger(new PinoNestLogger(logger));
  app.enableShutdownHooks();
  return { app, logger };
}

/**
 * Serves HTTP until SIGTERM/SIGINT; Nest's shutdown hooks then close the service gracefully, and
 * the process exits 1 if that takes longer than the shutdown timeout.
 */
export async function serveUntilSignal(
  app: INestApplication,
  config: { HTTP_PORT: number; HTTP_HOST: string; SHUTDOWN_TIMEOUT_SECONDS: number },
): Promise<void> {
  const shutdownTimeoutMs = config.SHUTDOWN_TIMEOUT_SECONDS * 1000;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => setTimeout(() => process.exit(1), shutdownTimeoutMs).unref());
  }
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
}

/** Runs a service's `main`; a failure is written to stderr as `<service>: <what>: <stack>` and exits 1. */
export function runMain(service: string, main: () => Promise<void>, what = 'failed to start'): void {
  main().catch((error: unknown) => {
    process.stderr.write(
      `${service}: ${what}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
