import { loadConfigOrExit, loaderEnv } from '@app/config';
import { runMain, serveUntilSignal } from '@app/observability';
import { createLoaderApp } from './loader.app';

runMain('loader', async () => {
  const config = loadConfigOrExit('loader', loaderEnv);
  await serveUntilSignal(await createLoaderApp(config), config);
});
