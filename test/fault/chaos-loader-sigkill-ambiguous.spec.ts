import { chaosInfraForSuite, expectNothingLost, runChaosScenario } from './chaos-helpers';

describe('fault: the loader is SIGKILLed during an ambiguous-timeout storm (chaos R2k)', () => {
  const suite = chaosInfraForSuite();

  it.each(['v1', 'v2'] as const)(
    'Xingchen %s: applies-then-times-out 30 %% of saves, kills the loader three times, and ends with nothing missing, duplicated, stale or mismatched',
    async (xingchenApi) => {
      const result = await runChaosScenario(suite.infra, 'R2k', { seed: 4242, trades: 200, xingchenApi });
      expectNothingLost(result);
    },
  );
});
