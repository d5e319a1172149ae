import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo, xingchenFamilies } from './e2e-stack';

describe.each(xingchenFamilies)(
  'e2e: ./erpsync demo --once --xingchen-api %s (the README quick start)',
  (family) => {
    it('syncs a generated day of orders, writes both files and ends with a clean reconciliation', async () => {
      const out = mkdtempSync(join(tmpdir(), 'erpsync-demo-'));
      const { code, output } = await runDemo(['--trades', '600', '--out', out, '--xingchen-api', family]);
      expect(output).toContain(`Xingchen API ${family}`);
      expect(output).toContain('pipeline idle');
      expect(output).toContain('reconciliation CLEAN');
      expect(code).toBe(0);
      expect(existsSync(join(out, 'xingchen-orders.json'))).toBe(true);
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
        clean: boolean;
        counts: Record<string, number>;
      };
      const orders = JSON.parse(readFileSync(join(out, 'xingchen-orders.json'), 'utf8')) as {
        orders: unknown[];
      };
      expect(report.clean).toBe(true);
      expect(report.counts).toMatchObject({
        wdtTrades: 600,
        missing: 0,
        duplicated: 0,
        stale: 0,
        mismatched: 0,
      });
      expect(orders.orders).toHaveLength(report.counts.expectedOrders);
    });
  },
);
