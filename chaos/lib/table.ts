import { type ScenarioResult } from './harness';

/** The report table: one row per scenario (markdown, so docs/reliability.md can take it as it is). */
export function formatTable(results: ScenarioResult[]): string {
  const header = [
    '#',
    'fault',
    'orders',
    'missing',
    'duplicates',
    'stale',
    'mismatched',
    'recovery (s)',
    'result',
  ];
  const rows = results.map((r) => [
    r.id,
    r.fault,
    String(r.orders),
    String(r.missing),
    String(r.duplicates),
    String(r.stale),
    String(r.mismatched),
    r.recoverySeconds === null ? '—' : r.recoverySeconds.toFixed(1),
    r.passed ? 'pass' : `FAIL${r.failures.length ? `: ${r.failures.join('; ').slice(0, 200)}` : ''}`,
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
