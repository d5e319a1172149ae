import { type INestApplication } from '@nestjs/common';
import { waitFor } from '@app/testing';
import { formatWdtTime } from '@app/contracts';
import { type PageServedEvent, type WdtSandbox } from '../../../apps/wdt-sandbox/src';
import {
  configuredScenario,
  historySandbox,
  pairs,
  published,
  readCheckpoint,
  startExtractor,
  waitForCheckpoint,
} from './extractor-harness';

/** A restarted extractor resumes from its checkpoint; of two replicas only the lease holder polls. */
describe('the extractor after a restart', () => {
  let sandbox: WdtSandbox;
  const apps: INestApplication[] = [];
  const events: PageServedEvent[] = [];

  afterAll(async () => {
    for (const app of apps) await app.close();
    await sandbox.close();
  });

  it('resumes from the checkpoint, and a second replica stays on standby', async () => {
    const now = Date.now();
    sandbox = await historySandbox(
      now,
      { seed: 5, count: 60, historySeconds: 3 * 3600 },
      { onPageServed: (event) => void events.push(event) },
    );
    const { names, config } = await configuredScenario(sandbox, {
      INITIAL_CHECKPOINT: formatWdtTime(now - 4 * 3600_000),
      WINDOW_OVERLAP_SECONDS: '30',
      INSTANCE_ID: 'first',
    });
    const lastModified = sandbox.store.visible(sandbox.now()).at(-1)!.modified;

    const first = await startExtractor(config);
    apps.push(first.app);
    await waitForCheckpoint(names.checkpointName, lastModified, {
      timeoutMs: 30000,
      description: 'the first run to catch up',
    });
    await first.app.close();
    apps.pop();
    const stopped = await readCheckpoint(names.checkpointName);
    // a clean stop releases the lease at once
    expect(stopped!.holder).toBeNull();

    // while it was down: one new order and one modified order
    const [old] = sandbox.store.visible(sandbox.now());
    const changed = { ...structuredClone(old), trade_status: 110, modified: formatWdtTime(Date.now()) };
    const fresh = {
      ...structuredClone(old),
      trade_no: 'JY-NEW-0001',
      trade_id: '999999',
      modified: formatWdtTime(Date.now()),
    };
    sandbox.store.upsert([changed, fresh]);
    events.length = 0;

    const second = await startExtractor({ ...config, INSTANCE_ID: 'second' });
    const third = await startExtractor({ ...config, INSTANCE_ID: 'third' });
    apps.push(second.app, third.app);
    await waitForCheckpoint(names.checkpointName, fresh.modified, {
      timeoutMs: 30000,
      description: 'the restarted extractor to read the new trades',
    });

    // resumed: nothing before the old checkpoint minus the overlap was asked for again
    const resumeFrom = formatWdtTime(
      new Date(`${stopped!.checkpoint!.replace(' ', 'T')}+08:00`).getTime() - 29_000,
    );
    expect(events.length).toBeGreaterThan(0);
    expect(events.map((e) => e.filter.startTime!).sort()[0]).toBe(resumeFrom);

    const out = await published(names.raw);
    expect(pairs(out)).toEqual(pairs([...sandbox.store.visible(sandbox.now()), old]));

    // one lease holder; the other replica only ever saw standby
    const row = await readCheckpoint(names.checkpointName);
    expect(['second', 'third']).toContain(row!.holder);
    const standby = row!.holder === 'second' ? third.loop : second.loop;
    await waitFor(() => standby.standbyCycles >= 3, { description: 'the standby replica to tick' });
    expect(standby.cycles).toBe(standby.standbyCycles);
  });
});
