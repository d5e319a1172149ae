import { startChaosInfra, type ChaosInfra } from '../../chaos/lib/infra';
import { runChaosScenario } from './chaos-helpers';

describe('fault: the broker stops mid-run and comes back (chaos R3)', () => {
  let infra: ChaosInfra;

  beforeAll(async () => {
    infra = await startChaosInfra();
  });
  afterAll(async () => {
    await infra?.close();
  });

  // the other Xingchen family runs in the SIGKILL scenario beside this one
  it('Xingchen v2: turns every service unready, holds the checkpoint, and loses, duplicates or leaves stale nothing', async () => {
    const result = await runChaosScenario(infra, 'R3', { seed: 7, trades: 200, xingchenApi: 'v2' });
    expect(result.failures).toEqual([]);
    expect(result.orders).toBeGreaterThan(50);
    expect({
      missing: result.missing,
      duplicates: result.duplicates,
      stale: result.stale,
      mismatched: result.mismatched,
    }).toEqual({ missing: 0, duplicates: 0, stale: 0, mismatched: 0 });
  });
});
