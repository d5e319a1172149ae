import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadMappingFile } from '@app/mapping';
import { type XingchenApiFamily } from '@app/xingchen-client';
import { repoRoot } from '@app/stack';
import { runScenario, type ScenarioResult } from '../../chaos/lib/harness';
import { startChaosInfra, type ChaosInfra } from '../../chaos/lib/infra';
import { scenarios } from '../../chaos/scenarios';

/** Runs one chaos scenario (chaos/scenarios.ts) the way `npm run chaos` does, with a fixed seed. */
export async function runChaosScenario(
  infra: ChaosInfra,
  id: string,
  options: { seed: number; trades: number; xingchenApi?: XingchenApiFamily },
): Promise<ScenarioResult> {
  if (!existsSync(join(repoRoot, 'dist', 'apps', 'loader', 'src', 'main.js')))
    throw new Error('the services run from dist/: run `npm run build` first');
  const scenario = scenarios.find((s) => s.id === id);
  if (!scenario) throw new Error(`no chaos scenario ${id}`);
  const mappingFile = join(repoRoot, 'config', 'mapping.demo.yaml');
  const lines: string[] = [];
  const result = await runScenario(scenario, {
    infra,
    rules: loadMappingFile(mappingFile),
    mappingFile,
    seed: options.seed,
    trades: options.trades,
    outDir: join(repoRoot, 'out', 'chaos-ci'),
    xingchenApi: options.xingchenApi,
    log: (line) => lines.push(line),
  });
  if (!result.passed) process.stderr.write(`${lines.join('\n')}\n${JSON.stringify(result, null, 2)}\n`);
  return result;
}

/** The chaos infrastructure of one describe block: started before its tests, closed after. */
export function chaosInfraForSuite(): { readonly infra: ChaosInfra } {
  let infra: ChaosInfra | undefined;
  beforeAll(async () => {
    infra = await startChaosInfra();
  });
  afterAll(async () => {
    await infra?.close();
  });
  return {
    get infra(): ChaosInfra {
      if (!infra) throw new Error('the chaos infrastructure starts in beforeAll: use it inside a test');
      return infra;
    },
  };
}

/** What every fault scenario must end with: no failed check, enough orders, and nothing lost or wrong. */
export function expectNothingLost(result: ScenarioResult): void {
  expect(result.failures).toEqual([]);
  expect(result.orders).toBeGreaterThan(50);
  expect({
    missing: result.missing,
    duplicates: result.duplicates,
    stale: result.stale,
    mismatched: result.mismatched,
  }).toEqual({ missing: 0, duplicates: 0, stale: 0, mismatched: 0 });
}
