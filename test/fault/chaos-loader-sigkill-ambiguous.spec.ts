import { startChaosInfra, type ChaosInfra } from '../../chaos/lib/infra';
import { runChaosScenario } from './chaos-helpers';

describe('fault: the loader is SIGKILLed during an ambiguous-timeout storm (chaos R2k)', () => {
  let infra: ChaosInfra;

  beforeAll(async () => {
    infra = await startChaosInfra();
  });
  afterAll(async () => {
    await infra?.close();
  });

  it.each(['v1', 'v2'] as const)(
    'Xingchen %s: applies-then-times-out 30 %% of saves, kills the loader three times, and ends with nothing missing, duplicated, stale or mismatched',
    async (xingchenApi) => {
      const result = await runChaosScenario(infra, 'R2k', { seed: 4242, trades: 200, xingchenApi });
      expect(result.failures).toEqual([]);
      expect(result.orders).toBeGreaterThan(50);
      expect({
        missing: result.missing,
        duplicates: result.duplicates,
        stale: result.stale,
        mismatched: result.mismatched,
      }).toEqual({ missing: 0, duplicates: 0, stale: 0, mismatched: 0 });
    },
  );
});
