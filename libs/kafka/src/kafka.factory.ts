import { type EnvConfig, type kafkaEnv } from '@app/config';
import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import { type Logger } from 'pino';

export interface KafkaConnectionOptions {
  brokers: string[];
  clientId: string;
  ssl?: boolean;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  logger?: Logger;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

const levelName: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** kafkajs logs through pino: a fixed message plus the entry's context. */
const pinoLogCreator =
  (logger: Logger) =>
  () =>
  ({ namespace, level, log }: LogEntry) => {
    const { message, ...context } = log;
    // kafkajs logs every failed request at ERROR while it retries; a warning is what it is
    const name = level === logLevel.ERROR ? 'warn' : (levelName[level] ?? 'info');
    logger[name]({ kafkajs: namespace, ...context }, message);
  };

export function createKafka(options: KafkaConnectionOptions): Kafka {
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers,
    ssl: options.ssl,
    sasl: options.sasl as SASLOptions | undefined,
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 30000,
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 10000 },
    logLevel: options.logger ? logLevel.WARN : logLevel.NOTHING,
    logCreator: options.logger ? pinoLogCreator(options.logger) : undefined,
  };
  return new Kafka(config);
}

/** Connection options from a service's validated `KAFKA_*` variables (the kafkaEnv schema). */
export function kafkaConnectionFromEnv(
  config: EnvConfig<typeof kafkaEnv>,
): Omit<KafkaConnectionOptions, 'logger'> {
  const mechanism = config.KAFKA_SASL_MECHANISM;
  return {
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID,
    ssl: config.KAFKA_SSL,
    sasl:
      mechanism === 'none'
        ? undefined
        : {
            mechanism,
            username: config.KAFKA_SASL_USERNAME ?? '',
            password: config.KAFKA_SASL_PASSWORD ?? '',
          },
  };
}
