import { type INestApplication } from '@nestjs/common';
import { formatWdtTime, parseWdtTime } from '@app/contracts';
import { type WdtSandbox } from '../../../apps/wdt-sandbox/src';
import {
  configuredScenario,
  ExtractorService,
  historySandbox,
  published,
  readCheckpoint,
  startExtractor,
  waitForCheckpoint,
} from './extractor-harness';

/** A backfill re-publishes a past range and leaves the live checkpoint where it is. */
describe('the extractor backfill', () => {
  let sandbox: WdtSandbox;
  const apps: INestApplication[] = [];

  afterAll(async () => {
    for (const app of apps) await app.close();
    await sandbox.close();
  });

  it('re-reads [from, to] without moving the live checkpoint', async () => {
    const now = Date.now();
    sandbox = await historySandbox(now, { seed: 12, count: 50, historySeconds: 3 * 3600 });
    const { names, config } = await configuredScenario(sandbox, {
      INITIAL_CHECKPOINT: formatWdtTime(now - 4 * 3600_000),
    });
    const all = sandbox.store.visible(sandbox.now());
    const live = await startExtractor(config);
    apps.push(live.app);
    await waitForCheckpoint(names.checkpointName, all.at(-1)!.modified, {
      timeoutMs: 30000,
      description: 'the live extractor to catch up',
    });
    await live.app.close();
    apps.pop();
    const before = await readCheckpoint(names.checkpointName);
    const liveCount = (await published(names.raw)).length;

    // the middle of the day, boundaries inclusive
    const from = all[10].modified;
    const to = all[30].modified;
    const expected = all.filter((t) => t.modified >= from && t.modified <= to);
    const backfill = await startExtractor(config, false);
    apps.push(backfill.app);
    const result = await backfill.app.get(ExtractorService).backfill(parseWdtTime(from), parseWdtTime(to));
    expect(result.trades).toBe(expected.length);

    const out = await published(names.raw);
    expect(out).toHaveLength(liveCount + expected.length);
    expect(
      out
        .slice(0)
        .map((t) => `${t.tradeNo}|${t.modified}`)
        .filter((key, index, list) => list.indexOf(key) !== index)
        .sort(),
    ).toEqual(expected.map((t) => `${t.trade_no}|${t.modified}`).sort());
    expect(await readCheckpoint(names.checkpointName)).toEqual(before);
  });
});
