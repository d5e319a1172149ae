import { type INestApplication } from '@nestjs/common';
import { formatWdtTime } from '@app/contracts';
import { waitFor, closeAfterAll } from '@app/testing';
import { type WdtSandbox } from '../../../apps/wdt-sandbox/src';
import {
  configuredScenario,
  historySandbox,
  POLL_INTERVAL_NAME,
  readCheckpoint,
  SchedulerRegistry,
  startExtractor,
} from './extractor-harness';

/** Wrong credentials: a clear error on /health/ready, polling stopped, no retry loop. */
describe.each([
  ['qimen', 'WDT_QIMEN_APP_SECRET'],
  ['openapi', 'WDT_APP_SECRET'],
])('the extractor with a wrong secret over %s', (route, variable) => {
  let sandbox: WdtSandbox;
  let app: INestApplication | undefined;

  closeAfterAll(
    () => app,
    () => sandbox,
  );

  it('names the cause, stops polling and does not spin', async () => {
    const now = Date.now();
    sandbox = await historySandbox(now, { seed: 1, count: 20, historySeconds: 3600 });
    const { names, config } = await configuredScenario(sandbox, {
      WDT_ROUTE: route,
      [variable]: 'not-the-secret',
      INITIAL_CHECKPOINT: formatWdtTime(now - 5 * 3600_000),
      WINDOW_CONCURRENCY: '1',
    });
    let url: string;
    let loop;
    ({ app, url, loop } = await startExtractor(config));

    const body = await waitFor(
      async () => {
        const response = await fetch(`${url}/health/ready`);
        const answer = (await response.json()) as {
          checks: Record<string, { ok: boolean; detail?: string }>;
        };
        return response.status === 503 && answer.checks['wdt-source']?.ok === false ? answer : undefined;
      },
      { description: 'readiness to turn red' },
    );
    expect(body.checks['wdt-source'].ok).toBe(false);
    expect(body.checks['wdt-source'].detail).toMatch(
      new RegExp(`^WDT rejected the signature: check ${variable} `),
    );
    expect((await fetch(`${url}/health/live`)).status).toBe(200);

    // one call, one rejection: the interval is gone and later ticks do nothing
    expect(sandbox.stats()).toMatchObject({ calls: 1, authFailures: 1 });
    expect(app.get(SchedulerRegistry).doesExist('interval', POLL_INTERVAL_NAME)).toBe(false);
    for (let i = 0; i < 5; i++) loop.tick();
    await loop.idle();
    expect(sandbox.stats().calls).toBe(1);
    expect((await readCheckpoint(names.checkpointName))?.checkpoint ?? null).toBeNull();
  });
});
