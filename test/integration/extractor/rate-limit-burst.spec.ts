import { type INestApplication } from '@nestjs/common';
import { waitFor, closeAfterAll } from '@app/testing';
import { formatWdtTime } from '@app/contracts';
import { type WdtSandbox } from '../../../apps/wdt-sandbox/src';
import {
  configuredScenario,
  historySandbox,
  pairs,
  published,
  readCheckpoint,
  startExtractor,
  waitForCheckpoint,
} from './extractor-harness';

/** A burst of 1012 answers only slows the extractor down: it waits, stays ready, then completes. */
describe('the extractor under a 1012 burst', () => {
  let sandbox: WdtSandbox;
  let app: INestApplication | undefined;

  closeAfterAll(
    () => app,
    () => sandbox,
  );

  it('backs off on 1012, stays ready, and loses nothing', async () => {
    const now = Date.now();
    sandbox = await historySandbox(
      now,
      { seed: 9, count: 40, historySeconds: 2 * 3600 },
      { faults: { errorRate: 1 } },
    );
    const { names, config } = await configuredScenario(sandbox, {
      INITIAL_CHECKPOINT: formatWdtTime(now - 3 * 3600_000),
      WDT_RATE_LIMIT_BACKOFF_SECONDS: '1',
      WINDOW_CONCURRENCY: '2',
      PAGE_CONCURRENCY: '1',
    });
    const started = Date.now();
    let url: string;
    ({ app, url } = await startExtractor(config));

    await waitFor(() => sandbox.stats().rateLimited >= 6, {
      timeoutMs: 20000,
      description: 'six 1012 answers',
    });
    // two windows in flight, each waiting 1 s after a 1012: six answers take at least two seconds
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(200);
    expect((await readCheckpoint(names.checkpointName))?.checkpoint ?? null).toBeNull();

    sandbox.setFaults({ errorRate: 0 });
    const lastModified = sandbox.store.visible(sandbox.now()).at(-1)!.modified;
    await waitForCheckpoint(names.checkpointName, lastModified, {
      timeoutMs: 30000,
      description: 'the extractor to catch up after the burst',
    });
    expect(pairs(await published(names.raw))).toEqual(pairs(sandbox.store.visible(sandbox.now())));

    const metrics = await (await fetch(`${url}/metrics`)).text();
    const rateLimited =
      /erpsync_wdt_api_requests_total\{method="wdt\.trade\.query",outcome="rate_limited"\} (\d+)/.exec(
        metrics,
      );
    expect(Number(rateLimited?.[1])).toBeGreaterThanOrEqual(6);
    expect(metrics).toMatch(/erpsync_extractor_windows_total\{mode="live"\} [1-9]/);
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
  });
});
