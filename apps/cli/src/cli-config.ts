import {
  databaseEnv,
  env,
  kafkaEnv,
  loadEnv,
  processEnv,
  wdtClientEnv,
  xingchenClientEnv,
  type EnvConfig,
} from '@app/config';

/** What the ops commands read from the environment (each command takes the part it needs). */
export const cliKafkaEnv = { ...kafkaEnv };
export const cliDatabaseEnv = { DATABASE_URL: databaseEnv.DATABASE_URL };
export const cliReconcileEnv = {
  ...cliDatabaseEnv,
  ...wdtClientEnv,
  ...xingchenClientEnv,
  MAPPING_FILE: env.string(),
};

export type CliReconcileConfig = EnvConfig<typeof cliReconcileEnv>;

export const loadCliEnv = <S extends Parameters<typeof loadEnv>[0]>(
  schema: S,
  overrides: Record<string, string> = {},
) => loadEnv(schema, { ...processEnv(), ...overrides });
