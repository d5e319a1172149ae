import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from '@app/testing';
import { signRequest, toQueryString, appSignatureOf } from './independent-signer';

/** The standalone sandbox (`./erpsync service xingchen-sandbox`) reads its configuration from the environment (run here from source). */
describe('xingchen sandbox as a standalone process', () => {
  let child: ChildProcess;
  let output = '';

  afterAll(() => {
    child?.kill('SIGTERM');
  });

  it('starts with the configured credentials and quota', async () => {
    const root = join(__dirname, '../../..');
    child = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        'apps/xingchen-sandbox/src/main.ts',
      ],
      {
        cwd: root,
        env: {
          ...process.env,
          TS_NODE_PROJECT: join(root, 'tsconfig.json'),
          XINGCHEN_SANDBOX_PORT: '0',
          XINGCHEN_SANDBOX_HOST: '127.0.0.1',
          XINGCHEN_SANDBOX_CLIENT_ID: 'standalone-id',
          XINGCHEN_SANDBOX_CLIENT_SECRET: 'standalone-secret',
          XINGCHEN_SANDBOX_APP_KEY: 'standaloneKey',
          XINGCHEN_SANDBOX_APP_SECRET: 'standalone-app-secret',
          XINGCHEN_SANDBOX_TOKEN_TTL_SECONDS: '120',
          XINGCHEN_SANDBOX_RATE_LIMIT_PER_MINUTE: '1200',
        },
      },
    );
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = await waitFor(() => /"url":"(http:\/\/[^"]+)"/.exec(output)?.[1], {
      timeoutMs: 60_000,
      description: 'sandbox url in the log',
    });
    expect(output).not.toContain('standalone-secret');
    expect(output).not.toContain('standalone-app-secret');

    const path = '/jdyconnector/app_management/kingdee_auth_token';
    const query = {
      app_key: 'standaloneKey',
      app_signature: appSignatureOf('standaloneKey', 'standalone-app-secret'),
    };
    const response = await fetch(`${url}${path}?${toQueryString(query)}`, {
      headers: signRequest({
        method: 'GET',
        path,
        query,
        clientId: 'standalone-id',
        clientSecret: 'standalone-secret',
      }),
    });
    const body = (await response.json()) as { errcode: number; data: { expires: number } };
    expect(body.errcode).toBe(0);
    expect(body.data.expires - Date.now()).toBeGreaterThan(110_000);
    const faults = (await (await fetch(`${url}/__sandbox/faults`)).json()) as { rateLimitPerMinute: number };
    expect(faults.rateLimitPerMinute).toBe(1200);
  });
});
