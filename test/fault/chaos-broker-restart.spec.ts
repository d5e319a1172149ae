import { chaosInfraForSuite, expectNothingLost, runChaosScenario } from './chaos-helpers';

describe('fault: the broker stops mid-run and comes back (chaos R3)', () => {
  const suite = chaosInfraForSuite();

  // the other Xingchen family runs in the SIGKILL scenario beside this one
  it('Xingchen v2: turns every service unready, holds the checkpoint, and loses, duplicates or leaves stale nothing', async () => {
    const result = await runChaosScenario(suite.infra, 'R3', { seed: 7, trades: 200, xingchenApi: 'v2' });
    expectNothingLost(result);
  });
});
