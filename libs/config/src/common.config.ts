import { env } from './env-schema';

/** Kafka connection and topic bootstrap, shared by every service. */
export const kafkaEnv = {
  KAFKA_BROKERS: env.list({ default: ['127.0.0.1:9092'] }),
  KAFKA_CLIENT_ID: env.string({ default: 'erpsync' }),
  KAFKA_TOPIC_PARTITIONS: env.int({ default: 6, min: 1, max: 1000 }),
  KAFKA_TOPIC_REPLICATION_FACTOR: env.int({ default: 1, min: 1, max: 10 }),
  KAFKA_BOOTSTRAP_TOPICS: env.bool({ default: true }),
  KAFKA_SSL: env.bool({ default: false }),
  KAFKA_SASL_MECHANISM: env.oneOf(['none', 'plain', 'scram-sha-256', 'scram-sha-512'] as const, {
    default: 'none',
  }),
  KAFKA_SASL_USERNAME: env.optionalString(),
  KAFKA_SASL_PASSWORD: env.optionalString({ secret: true }),
};

/** Consumer runner tuning (transformer and loader). */
export const consumerEnv = {
  CONSUMER_PARTITION_CONCURRENCY: env.int({ default: 6, min: 1, max: 256 }),
  CONSUMER_KEY_CONCURRENCY: env.int({ default: 1, min: 1, max: 256 }),
  CONSUMER_RETRY_ATTEMPTS: env.int({ default: 8, min: 0, max: 100 }),
  CONSUMER_RETRY_INITIAL_MS: env.int({ default: 200, min: 1 }),
  CONSUMER_RETRY_MAX_MS: env.int({ default: 30000, min: 1 }),
  CONSUMER_SESSION_TIMEOUT_MS: env.int({ default: 30000, min: 6000 }),
};

export const databaseEnv = {
  DATABASE_URL: env.url({
    default: 'postgres://postgres@127.0.0.1:5432/erpsync',
    protocols: ['postgres', 'postgresql'],
    secret: true,
  }),
  DATABASE_POOL_SIZE: env.int({ default: 10, min: 1, max: 200 }),
  DATABASE_RUN_MIGRATIONS: env.bool({ default: true }),
};

export const serviceEnv = {
  LOG_LEVEL: env.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, {
    default: 'info',
  }),
  SHUTDOWN_TIMEOUT_SECONDS: env.int({ default: 25, min: 1 }),
  BUILD_VERSION: env.string({ default: '0.1.0' }),
  BUILD_COMMIT: env.string({ default: 'unknown' }),
};

export const httpEnv = (defaultPort: number) => ({
  HTTP_PORT: env.port({ default: defaultPort }),
  HTTP_HOST: env.string({ default: '0.0.0.0' }),
});
