import { env, envRule } from './env-schema';
import { databaseEnv, kafkaEnv, serviceEnv } from './common.config';
import { wdtClientEnv } from './extractor.config';
import { xingchenClientEnv } from './loader.config';

/** `user:role:hash` with role viewer|operator and an scrypt hash as `./erpsync console-user` prints it. */
export const CONSOLE_USER_PATTERN =
  /^([A-Za-z0-9._@-]{1,64}):(viewer|operator):(scrypt\.\d+\.\d+\.\d+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;

/**
 * apps/console: the operators' web console (SPA at `/`, JSON API under `/api`). It reads the ledger,
 * the topics and the services' health and metrics, and runs redrives, replays, resyncs and
 * reconciliations with the same clients as the CLI.
 */
export const consoleEnv = {
  ...kafkaEnv,
  ...databaseEnv,
  ...serviceEnv,
  ...wdtClientEnv,
  ...xingchenClientEnv,
  CONSOLE_PORT: env.port({ default: 3000 }),
  CONSOLE_HOST: env.string({ default: '0.0.0.0' }),
  /**
   * Who may sign in: comma-separated `user:role:scrypt-hash` (role viewer or operator); the hash is
   * what `./erpsync console-user <user> <role>` prints, so no password is stored in clear anywhere.
   */
  CONSOLE_USERS: env.list({ secret: true }),
  /** Session lifetime (sliding: renewed by use), hours. */
  CONSOLE_SESSION_HOURS: env.number({ default: 8, min: 0.01, max: 720 }),
  /** The session cookie's Secure flag: keep true (browsers accept it on http://localhost too). */
  CONSOLE_COOKIE_SECURE: env.bool({ default: true }),
  /** Trust X-Forwarded-* from the ingress (client address of the audit and the login throttle). */
  CONSOLE_TRUST_PROXY: env.bool({ default: false }),
  /** The services whose /health and /metrics the overview shows: `name=url`, comma-separated. */
  CONSOLE_SERVICE_URLS: env.list({
    default: [
      'extractor=http://extractor:3001',
      'transformer=http://transformer:3002',
      'loader=http://loader:3003',
    ],
  }),
  /** The mapping file the transformer uses (the preview's default rules). */
  MAPPING_FILE: env.string(),
  RAW_TOPIC: env.string({ default: 'erp.wdt.trade.raw.v1' }),
  RAW_REPLAY_TOPIC: env.string({ default: 'erp.wdt.trade.raw.replay.v1' }),
  NORMALIZED_TOPIC: env.string({ default: 'sales.order.normalized.v1' }),
  TRANSFORMER_GROUP_ID: env.string({ default: 'erpsync.transformer' }),
  TRANSFORMER_REPLAY_GROUP_ID: env.string({ default: 'erpsync.transformer.replay' }),
  LOADER_GROUP_ID: env.string({ default: 'erpsync.loader' }),
  /** The extractor's live checkpoint stream (its CHECKPOINT_NAME): the overview's freshness. */
  CHECKPOINT_NAME: env.string({ default: 'wdt.trade' }),
  ...envRule('every CONSOLE_USERS entry is user:viewer|operator:scrypt-hash, each user once', (values) => {
    const users = (values.CONSOLE_USERS as string[] | undefined) ?? [];
    const problems = users
      .filter((entry) => !CONSOLE_USER_PATTERN.test(entry))
      .map(
        (entry) =>
          `CONSOLE_USERS: "${entry.split(':')[0]}:…" is not user:viewer|operator:scrypt-hash (make one with ./erpsync console-user)`,
      );
    const names = users.map((entry) => entry.split(':')[0]);
    const repeated = names.filter((name, index) => names.indexOf(name) !== index);
    if (repeated.length > 0)
      problems.push(`CONSOLE_USERS: ${[...new Set(repeated)].join(', ')} listed twice`);
    return problems;
  }),
  ...envRule('every CONSOLE_SERVICE_URLS entry is name=http(s)://…', (values) =>
    ((values.CONSOLE_SERVICE_URLS as string[] | undefined) ?? [])
      .filter((entry) => !/^[a-z][a-z0-9-]*=https?:\/\/\S+$/.test(entry))
      .map((entry) => `CONSOLE_SERVICE_URLS: "${entry}" is not name=http(s)://host:port`),
  ),
};
