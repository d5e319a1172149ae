import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** Keys whose values never reach a log line, wherever they are nested (two levels deep). */
export const REDACTED_KEYS = [
  'password',
  'secret',
  'appSecret',
  'app_secret',
  'appsecret',
  'clientSecret',
  'client_secret',
  'sign',
  'signature',
  'token',
  'accessToken',
  'access_token',
  'app-token',
  'appToken',
  'authorization',
  'Authorization',
  'x-api-signature',
  'X-Api-Signature',
  'DATABASE_URL',
  'databaseUrl',
];

const redactPaths = REDACTED_KEYS.flatMap((key) => {
  const k = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
  const dotted = k.startsWith('[') ? k : `.${k}`;
  return [k.startsWith('[') ? k : key, `*${dotted}`, `*.*${dotted}`];
});

export function createLogger(
  service: string,
  level: string = 'info',
  destination?: pino.DestinationStream,
): Logger {
  return pino(
    {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactPaths, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
