import { type NestExpressApplication } from '@nestjs/platform-express';
import { NestFactory } from '@nestjs/core';
import { type Logger } from 'pino';
import { type MappingRules } from '@app/mapping';
import { LOGGER, PinoNestLogger } from '@app/observability';
import { ConsoleModule } from './console.module';
import { type ConsoleConfig } from './console.tokens';
import { serveSpa, webAssetsDir } from './http/spa';
import { type ResyncRunner } from './jobs/resync-runner';

/** The console's Nest application (not listening yet): main.ts and the tests start it. */
export async function createConsoleApp(
  config: ConsoleConfig,
  rules: MappingRules,
  resync: ResyncRunner,
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ConsoleModule.forRoot(config, rules, resync), {
    bufferLogs: true,
    bodyParser: false,
  });
  const logger = app.get<Logger>(LOGGER);
  app.useLogger(new PinoNestLogger(logger));
  app.enableShutdownHooks();
  app.set('trust proxy', config.CONSOLE_TRUST_PROXY);
  app.disable('x-powered-by');
  // a mapping file pasted for a dry run can be large; nothing else is
  app.useBodyParser('json', { limit: '2mb' });
  const dir = webAssetsDir();
  if (!dir)
    logger.warn(
      'console web assets not found (npm run build writes dist/console-web): only the API is served',
    );
  serveSpa(app, dir);
  await app.init();
  return app;
}
