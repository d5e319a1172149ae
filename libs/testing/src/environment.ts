import { processEnv } from '@app/config';

/** Where the integration and e2e suites find their real dependencies. */
export const testBrokers = (): string[] => (processEnv().KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
export const testDatabaseUrl = (): string =>
  processEnv().TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/erpsync_test';
