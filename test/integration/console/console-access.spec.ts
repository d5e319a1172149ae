import { Client as PgClient } from 'pg';
import { testDatabaseUrl } from '@app/testing';
import { PASSWORDS, signIn, startConsole, type Client, type ConsoleUnderTest } from './console-harness';

const JOB = '00000000-0000-4000-8000-000000000000';

/** Every route of the API (the first test fails when one is added without being listed here). */
const ROUTES: Array<[method: string, path: string]> = [
  ['GET', '/api/session'],
  ['DELETE', '/api/session'],
  ['GET', '/api/overview'],
  ['GET', '/api/orders'],
  ['GET', '/api/orders/JY1'],
  ['GET', '/api/dead-letters'],
  ['GET', '/api/dead-letters/raw-dlq'],
  ['GET', '/api/dead-letters/raw-dlq/0/0'],
  ['POST', '/api/dead-letters/raw-dlq/redrive'],
  ['GET', '/api/jobs'],
  ['GET', `/api/jobs/${JOB}`],
  ['POST', '/api/replays'],
  ['POST', '/api/resyncs'],
  ['POST', '/api/reconciliations'],
  ['GET', `/api/reconciliations/${JOB}/report.json`],
  ['GET', `/api/reconciliations/${JOB}/report.csv`],
  ['GET', '/api/mapping/recent-trades'],
  ['POST', '/api/mapping/preview'],
  ['POST', '/api/mapping/check'],
  ['GET', '/api/audit'],
];

/** The actions only operators may take: viewers get 403 and an audit row `refused`. */
const OPERATOR_ACTIONS: Array<[method: string, path: string, body: unknown, action: string]> = [
  ['POST', '/api/dead-letters/raw-dlq/redrive', { kind: 'all' }, 'redrive'],
  ['POST', '/api/replays', { tradeNos: ['JY1'] }, 'replay'],
  ['POST', '/api/resyncs', { from: '2024-01-01 00:00:00', to: '2024-01-01 01:00:00' }, 'resync'],
  ['GET', '/api/orders/JY1?reveal=true', undefined, 'reveal'],
  ['GET', '/api/dead-letters/raw-dlq/0/0?reveal=true', undefined, 'reveal'],
];

async function auditRows(
  actor: string,
): Promise<Array<{ action: string; result: string; detail: string | null }>> {
  const client = new PgClient({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    const { rows } = await client.query<{ action: string; result: string; detail: string | null }>(
      'SELECT action, result, detail FROM console_audit WHERE actor = $1 ORDER BY id',
      [actor],
    );
    return rows;
  } finally {
    await client.end();
  }
}

/** Express's registered routes (express 5 router) of the app, as `METHOD /path`. */
function registeredRoutes(console: ConsoleUnderTest): string[] {
  const instance = console.app.getHttpAdapter().getInstance() as {
    router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> };
  };
  return instance.router.stack
    .filter((layer) => layer.route?.path.startsWith('/api'))
    .flatMap((layer) =>
      Object.keys(layer.route!.methods).map((method) => `${method.toUpperCase()} ${layer.route!.path}`),
    );
}

describe('console API: nothing without a session, actions for operators only, CSRF on every change, all audited', () => {
  let console: ConsoleUnderTest;
  let operator: Client;
  let viewer: Client;

  beforeAll(async () => {
    console = await startConsole();
    operator = await signIn(console.url, console.users.operator, PASSWORDS.operator);
    viewer = await signIn(console.url, console.users.viewer, PASSWORDS.viewer);
  });
  afterAll(async () => {
    await console?.close();
  });

  it('lists every route of the API here (so none escapes the checks below)', () => {
    const listed = ROUTES.map(
      ([method, path]) =>
        `${method} ${path.replace(JOB, ':id').replace('JY1', ':billNo').replace('/raw-dlq', '/:source').replace('/0/0', '/:partition/:offset')}`,
    );
    const routes = registeredRoutes(console).filter((route) => route !== 'POST /api/session');
    expect(new Set(listed)).toEqual(new Set(routes));
  });

  it.each(ROUTES)('%s %s without a session → 401', async (method, path) => {
    const response = await fetch(`${console.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: method === 'GET' || method === 'DELETE' ? undefined : '{}',
    });
    expect(response.status).toBe(401);
  });

  it('refuses a wrong password (401) and a forged session cookie (401)', async () => {
    const wrong = await fetch(`${console.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: console.users.operator, password: 'guess' }),
    });
    expect(wrong.status).toBe(401);
    const forged = await fetch(`${console.url}/api/overview`, {
      headers: { cookie: 'erpsync_console=forged-token' },
    });
    expect(forged.status).toBe(401);
  });

  it('sets the session cookie HttpOnly and SameSite=Strict, and stores only its hash', async () => {
    const response = await fetch(`${console.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: console.users.viewer, password: PASSWORDS.viewer }),
    });
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const token = cookie.split(';')[0].split('=')[1];
    const client = new PgClient({ connectionString: testDatabaseUrl() });
    await client.connect();
    const stored = await client.query('SELECT 1 FROM console_sessions WHERE token_hash = $1', [token]);
    await client.end();
    expect(stored.rowCount).toBe(0);
  });

  it.each(OPERATOR_ACTIONS)(
    'a viewer: %s %s → 403, audited as refused',
    async (method, path, body, action) => {
      const response = method === 'GET' ? await viewer.get(path) : await viewer.send(method, path, body);
      expect(response.status).toBe(403);
      const rows = await auditRows(console.users.viewer);
      expect(rows).toContainEqual(expect.objectContaining({ action, result: 'refused' }));
    },
  );

  it('refuses a forged cross-site POST: no CSRF token, a foreign Origin, or Sec-Fetch-Site cross-site (403)', async () => {
    const body = { tradeNos: ['JY1'] };
    const noToken = await fetch(`${console.url}/api/replays`, {
      method: 'POST',
      headers: {
        cookie: operator.cookie,
        'content-type': 'application/json',
        origin: 'https://evil.example',
      },
      body: JSON.stringify(body),
    });
    expect(noToken.status).toBe(403);
    const foreignOrigin = await operator.send('POST', '/api/replays', body, {
      origin: 'https://evil.example',
    });
    expect(foreignOrigin.status).toBe(403);
    const crossSite = await operator.send('POST', '/api/replays', body, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    const crossSiteLogin = await fetch(`${console.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ user: console.users.operator, password: PASSWORDS.operator }),
    });
    expect(crossSiteLogin.status).toBe(403);
    const refused = (await auditRows(console.users.operator)).filter((row) => row.result === 'refused');
    expect(refused.length).toBeGreaterThanOrEqual(3);
  });

  it('writes an audit row per action (ok, failed or refused), and the audit table refuses changes', async () => {
    const replay = await operator.send(
      'POST',
      '/api/replays',
      { tradeNos: ['JY-AUDIT'] },
      { origin: console.url },
    );
    expect(replay.status).toBe(202);
    const badResync = await operator.send('POST', '/api/resyncs', { from: 'yesterday', to: 'today' });
    expect(badResync.status).toBe(400);
    const resync = await operator.send('POST', '/api/resyncs', {
      from: '2024-01-01 00:00:00',
      to: '2024-01-01 01:00:00',
    });
    expect(resync.status).toBe(202);
    const emptyRedrive = await operator.send('POST', '/api/dead-letters/raw-dlq/redrive', { kind: 'all' });
    expect(emptyRedrive.status).toBe(400);
    const reveal = await operator.get('/api/dead-letters/raw-dlq/0/0?reveal=true');
    expect(reveal.status).toBe(404);
    const rows = await auditRows(console.users.operator);
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'login', result: 'ok' }),
        expect.objectContaining({ action: 'replay', result: 'ok' }),
        expect.objectContaining({ action: 'resync', result: 'failed' }),
        expect.objectContaining({ action: 'resync', result: 'ok' }),
        expect.objectContaining({ action: 'redrive', result: 'failed' }),
        expect.objectContaining({ action: 'reveal', result: 'ok' }),
      ]),
    );
    const page = (await (await operator.get('/api/audit?pageSize=200')).json()) as {
      rows: Array<{ actor: string }>;
    };
    expect(page.rows.some((row) => row.actor === console.users.operator)).toBe(true);

    const client = new PgClient({ connectionString: testDatabaseUrl() });
    await client.connect();
    try {
      await expect(client.query("UPDATE console_audit SET result = 'ok'")).rejects.toThrow(/append-only/);
      await expect(client.query('DELETE FROM console_audit')).rejects.toThrow(/append-only/);
    } finally {
      await client.end();
    }
  });

  it('signs out: the session no longer opens anything, and the logout is audited', async () => {
    const client = await signIn(console.url, console.users.viewer, PASSWORDS.viewer);
    expect((await client.send('DELETE', '/api/session')).status).toBe(204);
    expect((await client.get('/api/overview')).status).toBe(401);
    expect(await auditRows(console.users.viewer)).toContainEqual(
      expect.objectContaining({ action: 'logout', result: 'ok' }),
    );
  });
});
