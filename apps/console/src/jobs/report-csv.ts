import { type ReconciliationReport } from '@app/reconciliation';

const cell = (value: string | undefined): string => {
  const text = value ?? '';
  // a leading = + - @ would be a formula in a spreadsheet: quoted and prefixed
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) || safe !== text ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** The report as CSV: one line per finding (per differing field for a mismatch), with a header. */
export function reportCsv(report: ReconciliationReport): string {
  const lines = [['category', 'bill_no', 'reason', 'detail', 'field', 'expected', 'actual', 'xingchen_ids']];
  const lists = [
    ['missing', report.missing],
    ['duplicated', report.duplicated],
    ['stale', report.stale],
    ['mismatched', report.mismatched],
    ['rejected', report.rejected],
    ['cancelled_in_source', report.cancelledInSource],
    ['audited_in_xingchen', report.auditedInXingchen],
    ['invalid', report.invalid],
  ] as const;
  for (const [category, entries] of lists) {
    for (const entry of entries) {
      const common = [category, entry.billNo, entry.reason, entry.detail ?? ''];
      const ids = (entry.xingchenIds ?? []).join(' ');
      if (entry.differences && entry.differences.length > 0) {
        for (const d of entry.differences)
          lines.push([...common, d.field, d.expected ?? '', d.actual ?? '', ids]);
      } else lines.push([...common, '', '', '', ids]);
    }
  }
  for (const entry of report.dead_lettered)
    lines.push([
      'dead_lettered',
      entry.tradeNo,
      entry.reason,
      `${entry.hop}: ${entry.message}`,
      '',
      '',
      '',
      '',
    ]);
  return `${lines.map((line) => line.map(cell).join(',')).join('\r\n')}\r\n`;
}
