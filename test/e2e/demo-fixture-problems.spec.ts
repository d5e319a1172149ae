import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recentFixtureCopy, repo, runDemo, xingchenFamilies } from './e2e-stack';

describe.each(xingchenFamilies)(
  'e2e (Xingchen %s): ./erpsync demo --once with a fixture holding an unmapped shop and an unknown SKU',
  (family) => {
    it('exits non-zero and the report names both trades and why', async () => {
      const out = mkdtempSync(join(tmpdir(), 'erpsync-demo-fixture-'));
      const fixture = recentFixtureCopy(join(repo, 'test', 'fixtures', 'wdt-problem-trades.json'), out);
      const { code, output } = await runDemo([
        '--wdt-fixture',
        fixture,
        '--out',
        out,
        '--xingchen-api',
        family,
      ]);
      expect(output).toContain('reconciliation FOUND PROBLEMS');
      expect(code).toBe(1);

      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
        counts: Record<string, number>;
        dead_lettered: Array<{ tradeNo: string; hop: string; reason: string; message: string }>;
      };
      expect(report.counts).toMatchObject({
        wdtTrades: 4,
        expectedOrders: 3,
        inSync: 2,
        missing: 0,
        deadLettered: 2,
        duplicated: 0,
        stale: 0,
        mismatched: 0,
      });
      // each lost at its hop: the transformer (unmapped shop), the loader (Xingchen rejected the SKU)
      const dead = Object.fromEntries(report.dead_lettered.map((entry) => [entry.tradeNo, entry]));
      expect(Object.keys(dead).sort()).toEqual(['JY-FIX-UNKNOWN-SKU', 'JY-FIX-UNMAPPED-SHOP']);
      expect(dead['JY-FIX-UNMAPPED-SHOP']).toMatchObject({ hop: 'transformer', reason: 'unmapped_shop' });
      expect(dead['JY-FIX-UNMAPPED-SHOP'].message).toContain('TB999');
      expect(dead['JY-FIX-UNKNOWN-SKU'].hop).toBe('loader');
      expect(dead['JY-FIX-UNKNOWN-SKU'].message).toContain('SKU-NOT-IN-XINGCHEN');
    });
  },
);
