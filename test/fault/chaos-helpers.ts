import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadMappingFile } from '@app/mapping';
import { type XingchenApiFamily } from '@app/xingchen-client';
import { repoRoot } from '@app/stack';
import { runScenario, type ScenarioResult } from '../../chaos/lib/harness';
import { type ChaosInfra } from '../../chaos/lib/infra';
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
