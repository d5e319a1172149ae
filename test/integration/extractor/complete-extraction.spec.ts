import { type INestApplication } from '@nestjs/common';
import { waitFor, closeAfterAll, listening } from '@app/testing';
import { formatWdtTime, parseWdtTime } from '@app/contracts';
import {
  createWdtSandbox,
  type PageServedEvent,
  type SandboxTrade,
  type WdtSandbox,
} from '../../../apps/wdt-sandbox/src';
import { configuredScenario, pairs, published, readCheckpoint, startExtractor } from './extractor-harness';

/**
 * N generated trades reach the raw topic exactly: every trade_no, every final (trade_no, modified),
 * trades modified at xx:59:59 / xx:00:00 included, and a trade modified while its window was paged.
 */
describe('the extractor publishes every WDT trade', () => {
  let sandbox: WdtSandbox;
  let app: INestApplication | undefined;
  const events: PageServedEvent[] = [];
  let moved: { before: SandboxTrade; after: SandboxTrade } | undefined;

  closeAfterAll(
    () => app,
    () => sandbox,
  );

  it('N trades in, exactly the N trades (distinct trade_no + modified) out, checkpoint at the end', async () => {
    const now = Date.now();
    const hour = 3600_000;
    sandbox = await listening(
      createWdtSandbox({
        generator: { seed: 21, count: 150, endMs: now - 30_000, historySeconds: 6 * 3600, settled: true },
        faults: { rateLimitPerMinute: 100000 },
        onPageServed: (event) => {
          events.push(event);
          // the first window with a second page: its first trade is modified "now", while paging
          if (!moved && event.pageNo === 0 && event.totalCount > event.pageSize) {
            const [before] = sandbox.store.query({ tradeNo: event.tradeNos[0] }, sandbox.now());
            const after = {
              ...structuredClone(before),
              modified: formatWdtTime(Date.now()),
              trade_status: 95,
            };
            sandbox.store.upsert([after]);
            moved = { before: before, after };
          }
        },
      }),
    );
    const initial = sandbox.store.visible(sandbox.now());
    expect(initial).toHaveLength(150);
    // the generated day has trades on both window-boundary seconds
    expect(initial.some((t) => t.modified.endsWith(':59:59'))).toBe(true);
    expect(initial.some((t) => t.modified.endsWith(':00:00'))).toBe(true);

    // hour-aligned windows [hh:00:00, hh:59:59], no overlap: a boundary error would lose trades
    const start = Math.floor((now - 8 * hour) / hour) * hour;
    const { names, config } = await configuredScenario(sandbox, {
      INITIAL_CHECKPOINT: formatWdtTime(start - 1000),
    });
    ({ app } = await startExtractor(config));

    await waitFor(
      async () => {
        const row = await readCheckpoint(names.checkpointName);
        return moved && row?.checkpoint && row.checkpoint >= moved.after.modified;
      },
      { timeoutMs: 60000, description: 'the checkpoint to pass the trade modified while paging' },
    );
    const final = sandbox.store.visible(sandbox.now());
    const out = await published(names.raw);

    expect(new Set(out.map((t) => t.tradeNo))).toEqual(new Set(final.map((t) => t.trade_no)));
    expect(pairs(out)).toEqual(
      new Set([...pairs(final), `${moved!.before.trade_no}|${moved!.before.modified}`]),
    );

    // the window of the moved trade was read again after its total_count changed
    const movedWindow = events.find((e) => e.tradeNos.includes(moved!.before.trade_no) && e.pageNo === 0)!;
    const reads = events.filter((e) => e.pageNo === 0 && e.filter.startTime === movedWindow.filter.startTime);
    expect(reads.length).toBeGreaterThanOrEqual(2);
    // windows are hour-aligned and never longer than the maximum span
    for (const e of events) {
      expect(parseWdtTime(e.filter.endTime!) - parseWdtTime(e.filter.startTime!)).toBeLessThanOrEqual(
        3600_000,
      );
    }
    expect(
      events.some((e) => e.filter.startTime?.endsWith(':00:00') && e.filter.endTime?.endsWith(':59:59')),
    ).toBe(true);

    const sample = out.find((t) => t.modified === final[0].modified && t.tradeNo === final[0].trade_no)!;
    expect(sample.record.key).toBe(final[0].trade_no);
    expect(JSON.parse(sample.record.value!)).toEqual(final[0]);
    expect(sample.record.headers).toEqual({
      'source-modified': `${final[0].modified.replace(' ', 'T')}+08:00`,
      'correlation-id': expect.stringMatching(/^[0-9a-f-]{36}$/),
      'schema-version': '1',
      'source-system': 'wdt',
    });
  });
});
