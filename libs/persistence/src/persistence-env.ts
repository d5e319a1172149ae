import { type databaseEnv, type EnvConfig } from '@app/config';
import { type PersistenceOptions } from './persistence.module';

/** PersistenceModule options from a service's validated `DATABASE_*` variables (the databaseEnv schema). */
export const persistenceOptionsFromEnv = (
  config: EnvConfig<typeof databaseEnv>,
  applicationName: string,
): PersistenceOptions => ({
  url: config.DATABASE_URL,
  poolSize: config.DATABASE_POOL_SIZE,
  runMigrations: config.DATABASE_RUN_MIGRATIONS,
  applicationName,
});
