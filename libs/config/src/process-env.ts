import { ConfigValidationError, loadEnv, type EnvConfig, type EnvSchema } from './env-schema';

/** The one place that reads process.env. */
export const processEnv = (): Record<string, string | undefined> => process.env;

/** Loads a service's config at boot; on a bad environment prints every problem and exits 1. */
export function loadConfigOrExit<S extends EnvSchema>(service: string, schema: S): EnvConfig<S> {
  try {
    return loadEnv(schema, processEnv());
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${service}: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
