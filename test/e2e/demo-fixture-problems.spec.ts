import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatWdtTime, parseWdtTime } from '@app/contracts';
import { repo, runDemo } from './e2e-stack';

type Trade = Record<string, unknown>;
const TIME_FIELDS = ['trade_time', 'pay_time', 'created', 'modified'];

/**
 * The hand-written fixture, moved to the last hours: the extractor starts a minute before the oldest
 * trade and walks to now in one-hour windows, so an old fixture would only make the demo slow.
 */
function recentCopy(file: string, dir: string): string {
  const fixture = JSON.parse(readFileSync(file, 'utf8')) as { trades: Trade[] };
  const newest = Math.max(...fixture.trades.map((t) => parseWdtTime(String(t.modified))));
  const shift = Date.now() - 60_000 - newest;
  for (const trade of fixture.trades) {
    for (const field of TIME_FIELDS)
      if (typeof trade[field] === 'string') trade[field] = formatWdtTime(parseWdtTime(trade[field]) + shift);
  }
  const copy = join(dir, 'wdt-fixture.json');
  writeFileSync(copy, JSON.stringify(fixture));
  return copy;
}

describe('e2e: ./erpsync demo --once with a fixture holding an unmapped shop and an unknown SKU', () => {
  it('exits non-zero and the report names both trades and why', async () => {
    const out = mkdtempSync(join(tmpdir(), 'erpsync-demo-fixture-'));
    const fixture = recentCopy(join(repo, 'test', 'fixtures', 'wdt-problem-trades.json'), out);
    const { code, output } = await runDemo(['--wdt-fixture', fixture, '--out', out]);
    expect(output).toContain('reconciliation FOUND PROBLEMS');
    expect(code).toBe(1);

    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
      counts: Record<string, number>;
      missing: Array<{ billNo: string; reason: string; detail?: string }>;
    };
    expect(report.counts).toMatchObject({
      wdtTrades: 4,
      expectedOrders: 3,
      inSync: 2,
      missing: 2,
      duplicated: 0,
      stale: 0,
      mismatched: 0,
    });
    const missing = Object.fromEntries(report.missing.map((entry) => [entry.billNo, entry]));
    expect(Object.keys(missing).sort()).toEqual(['JY-FIX-UNKNOWN-SKU', 'JY-FIX-UNMAPPED-SHOP']);
    expect(missing['JY-FIX-UNMAPPED-SHOP'].reason).toBe('not mappable: unmapped_shop');
    expect(missing['JY-FIX-UNMAPPED-SHOP'].detail).toContain('TB999');
    expect(missing['JY-FIX-UNKNOWN-SKU'].reason).toMatch(/^ledger says rejected/);
    expect(missing['JY-FIX-UNKNOWN-SKU'].detail).toContain('SKU-NOT-IN-XINGCHEN');
  });
});
