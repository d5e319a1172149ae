/**
 * `npm run chaos [-- --only R2,R3] [--seed N] [--trades N] [--xingchen-api v1|v2]`: the fault suite R1–R9 of
 * docs/reliability.md. Each scenario runs a fresh pipeline (three services as processes, both
 * sandboxes) on the suite's own broker and PostgreSQL, injects its faults while WDT orders keep
 * changing, waits until the pipeline is idle and runs the three-ledger checker. Prints the table,
 * writes chaos/results/<time>.json, exits 1 when any row is not clean.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMappingFile } from '@app/mapping';
import { repoRoot } from '@app/stack';
import { runScenario, type ScenarioResult } from './lib/harness';
import { startChaosInfra } from './lib/infra';
import { formatTable } from './lib/table';
import { scenarios } from './scenarios';

function option(name: string): string | undefined {
  const args = process.argv.slice(2);
  const index = args.indexOf(`--${name}`);
  if (index >= 0) return args[index + 1];
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

async function main(): Promise<number> {
  const only = option('only')
    ?.split(',')
    .map((s) => s.trim().toUpperCase());
  const seed = Number(option('seed') ?? Date.now() % 100000);
  const trades = Number(option('trades') ?? 300);
  const xingchenApi = option('xingchen-api') === 'v2' ? 'v2' : 'v1';
  const selected = scenarios.filter((s) => !only || only.includes(s.id.toUpperCase()));
  if (selected.length === 0) throw new Error(`no scenario matches --only ${only?.join(',')}`);
  const mappingFile = join(repoRoot, 'config', 'mapping.demo.yaml');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const outDir = join(repoRoot, 'out', 'chaos', stamp);
  const resultsDir = join(repoRoot, 'chaos', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  log(
    `chaos: ${selected.map((s) => s.id).join(', ')} — seed ${seed}, ${trades} trades each, Xingchen ${xingchenApi}; logs under ${outDir}`,
  );

  const infra = await startChaosInfra(log);
  const results: ScenarioResult[] = [];
  const onSignal = () => {
    log('interrupted: stopping the suite’s broker and PostgreSQL');
    void infra.close().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (const scenario of selected) {
      const result = await runScenario(scenario, {
        infra,
        rules: loadMappingFile(mappingFile),
        mappingFile,
        seed,
        trades,
        outDir,
        log,
        xingchenApi,
      });
      results.push(result);
      log(
        `${result.id} ${result.passed ? 'PASS' : 'FAIL'}: missing ${result.missing}, duplicates ${result.duplicates}, stale ${result.stale}, mismatched ${result.mismatched}, recovery ${result.recoverySeconds ?? '—'} s${result.failures.length ? ` — ${result.failures.join('; ')}` : ''}`,
      );
    }
  } finally {
    await infra.close();
  }
  const file = join(resultsDir, `${stamp}.json`);
  writeFileSync(file, `${JSON.stringify({ seed, trades, xingchenApi, results }, null, 2)}\n`);
  process.stdout.write(`\n${formatTable(results)}\n\nwritten: ${file}\n`);
  return results.every((r) => r.passed) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
