import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export interface RatioRow {
  id: string;
  description: string;
  numerator: number;
  denominator: number;
  unit: string;
  goal: string;
  pass: boolean;
  notes?: string;
}

export const ratio = (
  row: Omit<RatioRow, 'pass'> & { goalMin?: number; goalMax?: number },
): RatioRow & { value: number } => {
  const value = row.numerator / row.denominator;
  const pass =
    (row.goalMin === undefined || value >= row.goalMin) &&
    (row.goalMax === undefined || value <= row.goalMax);
  const { goalMin: _min, goalMax: _max, ...rest } = row;
  return { ...rest, value, pass };
};

/** Prints a table and writes bench/results/<name>.json (or stdout JSON with --json). */
export function report(
  name: string,
  rows: Array<RatioRow & { value: number }>,
  extra: Record<string, unknown> = {},
): void {
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
  const result = { name, at: new Date().toISOString(), machine, rows, ...extra };
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2));
  console.log(`\n${name} — ${machine.cpus} cores, ${machine.memoryGiB} GiB, Node ${machine.node}`);
  console.log(['id', 'ratio', 'goal', 'ok', 'numerator', 'denominator', 'what'].join('\t'));
  for (const row of rows) {
    console.log(
      [
        row.id,
        row.value.toFixed(2),
        row.goal,
        row.pass ? 'yes' : 'NO',
        `${fmt(row.numerator)} ${row.unit}`,
        `${fmt(row.denominator)} ${row.unit}`,
        row.description + (row.notes ? ` (${row.notes})` : ''),
      ].join('\t'),
    );
  }
  const dir = join(__dirname, '..', '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written: bench/results/${name}.json`);
}
