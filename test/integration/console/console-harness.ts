import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { consoleEnv, loadEnv } from '@app/config';
import { deadLetterTopic } from '@app/contracts';
import { loadMappingFile } from '@app/mapping';
import {
  createTopics,
  listenLocally,
  randomTopic,
  testBrokers,
  testDatabaseUrl,
  testKafka,
  uniqueName,
} from '@app/testing';
import {
  createConsoleApp,
  hashPassword,
  type ResyncRunner,
  type SessionInfo,
} from '../../../apps/console/src';

export const repo = join(__dirname, '..', '..', '..');

/** A resync stand-in that records what it was asked (the real one runs the extractor: see the e2e suite). */
export class RecordingResync implements ResyncRunner {
  readonly ranges: Array<{ from: string; to: string }> = [];
  run(range: { from: string; to: string }): Promise<Record<string, unknown>> {
    this.ranges.push(range);
    return Promise.resolve({ backfill: 'done', windows: 1, trades: 0 });
  }
}

export interface ConsoleUnderTest {
  app: INestApplication;
  url: string;
  topics: { raw: string; replay: string; normalized: string };
  users: { operator: string; viewer: string };
  resync: RecordingResync;
  close: () => Promise<void>;
}

export const PASSWORDS = { operator: 'operator-secret', viewer: 'viewer-secret' };

/** The console in-process on a random port, on the test database and broker, with its own topics and users. */
export async function startConsole(): Promise<ConsoleUnderTest> {
  const raw = randomTopic('console-raw');
  const topics = { raw, replay: `${raw}.replay`, normalized: `${raw}.normalized` };
  const admin = testKafka().admin();
  await admin.connect();
  await createTopics(
    admin,
    [topics.raw, topics.replay, topics.normalized].flatMap((t) => [t, deadLetterTopic(t)]),
  );
  await admin.disconnect();
  const suffix = uniqueName('u').replace(/[^a-z0-9]/gi, '');
  const users = { operator: `operator${suffix}`, viewer: `viewer${suffix}` };
  const config = loadEnv(consoleEnv, {
    KAFKA_BROKERS: testBrokers().join(','),
    DATABASE_URL: testDatabaseUrl(),
    LOG_LEVEL: 'warn',
    MAPPING_FILE: join(repo, 'config', 'mapping.demo.yaml'),
    XINGCHEN_CLIENT_ID: 'test-client',
    XINGCHEN_CLIENT_SECRET: 'test-secret',
    XINGCHEN_USERNAME: 'nobody',
    XINGCHEN_PASSWORD: 'nothing',
    // nothing listens there: the API's access rules are what these suites are about
    XINGCHEN_BASE_URL: 'http://127.0.0.1:9',
    WDT_BASE_URL: 'http://127.0.0.1:9',
    CONSOLE_SERVICE_URLS: 'extractor=http://127.0.0.1:9',
    CONSOLE_COOKIE_SECURE: 'false',
    CONSOLE_USERS: [
      `${users.operator}:operator:${await hashPassword(PASSWORDS.operator)}`,
      `${users.viewer}:viewer:${await hashPassword(PASSWORDS.viewer)}`,
    ].join(','),
    RAW_TOPIC: topics.raw,
    RAW_REPLAY_TOPIC: topics.replay,
    NORMALIZED_TOPIC: topics.normalized,
  });
  const resync = new RecordingResync();
  const app = await createConsoleApp(config, loadMappingFile(config.MAPPING_FILE), resync);
  const running = await listenLocally(app);
  return { app, url: running.url, topics, users, resync, close: running.close };
}

/** A signed-in client: its cookie, its CSRF token, and requests made the way the SPA makes them. */
export interface Client {
  session: SessionInfo;
  cookie: string;
  get(path: string): Promise<Response>;
  send(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
}

export async function signIn(url: string, user: string, password: string): Promise<Client> {
  const response = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, password }),
  });
  if (response.status !== 200) throw new Error(`sign-in of ${user} answered ${response.status}`);
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0];
  const session = (await response.json()) as SessionInfo;
  return {
    session,
    cookie,
    get: (path) => fetch(`${url}${path}`, { headers: { cookie } }),
    send: (method, path, body, headers = {}) =>
      fetch(`${url}${path}`, {
        method,
        headers: {
          cookie,
          'content-type': 'application/json',
          'x-csrf-token': session.csrfToken,
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
  };
}
