import { loadConfigOrExit, loaderEnv } from '@app/config';
import { createLoaderApp } from './loader.app';

async function main(): Promise<void> {
  const config = loadConfigOrExit('loader', loaderEnv);
  const app = await createLoaderApp(config);
  const shutdownTimeoutMs = config.SHUTDOWN_TIMEOUT_SECONDS * 1000;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => setTimeout(() => process.exit(1), shutdownTimeoutMs).unref());
  }
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `loader: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
