import { suiteBroker, waitFor } from '@app/testing';
import {
  billNumber,
  ledgerRows,
  loaderTopics,
  normalizedOrder,
  produceOrders,
  startLoader,
  startSandbox,
  type RunningLoader,
} from '../integration/loader/loader-harness';

const QUOTA_PER_MINUTE = 120;
const ORDERS = 60;

/** The most timestamps in any half-open window of `windowMs` (a sliding window). */
function mostInAnyWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('fault: loader replicas come and go while a backlog drains under one account set quota', () => {
  const broker = suiteBroker('quota-replicas');

  it(`never sends the sandbox more than ${QUOTA_PER_MINUTE} calls in any sliding minute, and syncs every order`, async () => {
    const topics = await loaderTopics(broker.admin, 6);
    const sandbox = await startSandbox({
      rateLimitPerMinute: QUOTA_PER_MINUTE,
      saveLatencyMs: { min: 20, max: 60 },
    });
    const bills = Array.from({ length: ORDERS }, (_, i) => `${billNumber('QR')}-${i}`);
    const synced = () => sandbox.stats().ordersCreated;
    /** The consumer group is stable with `members` replicas, each assigned partitions. */
    const groupOf = async (members: number) => {
      const { groups } = await broker.admin.describeGroups([topics.group]);
      const group = groups[0];
      return (
        group?.state === 'Stable' &&
        group.members.length === members &&
        group.members.every((member) => member.memberAssignment.length > 0)
      );
    };
    const replicas: RunningLoader[] = [];
    // the same quota configured in every replica, as a Deployment has it;
    // QUOTA_SPEC_SHARED=false runs the per-replica limiters, to watch this spec fail
    const start = async () =>
      replicas.push(
        await startLoader(topics, sandbox, {
          XINGCHEN_SHARED_QUOTA: process.env.QUOTA_SPEC_SHARED ?? 'true',
        }),
      );
    // a first part of the backlog for one replica, the rest once three are in the group
    const produceBills = (from: number, to: number) =>
      produceOrders(
        broker.kafka,
        topics.normalized,
        bills.slice(from, to).map((billNo) => normalizedOrder({ billNo })),
      );
    await produceBills(0, 15);
    try {
      await start();
      await waitFor(() => synced() >= 5, {
        timeoutMs: 60_000,
        description: '5 orders synced by one replica',
      });
      await start();
      await start();
      await waitFor(() => groupOf(3), { timeoutMs: 60_000, description: 'three replicas in the group' });
      await produceBills(15, ORDERS);
      await waitFor(() => synced() >= 30, {
        timeoutMs: 90_000,
        description: '30 orders synced, 15 by three',
      });
      await replicas.splice(1, 1)[0].close(); // one replica leaves (scale-in) mid-backlog
      await waitFor(() => synced() >= ORDERS, { timeoutMs: 120_000, description: 'every order synced' });

      const { arrived } = sandbox.callTimes();
      expect(mostInAnyWindow(arrived, 60_000)).toBeLessThanOrEqual(QUOTA_PER_MINUTE);
      // the run is shorter than a minute twice over: the same bound on every sliding 10 s bites
      // (three per-replica limiters at the quota send about three times this)
      expect(mostInAnyWindow(arrived, 10_000)).toBeLessThanOrEqual(QUOTA_PER_MINUTE / 6);
      // the sandbox's own quota refused (almost) nothing: the replicas kept below it together
      expect(sandbox.stats().throttled).toBeLessThanOrEqual(1);
      // the ledger and the sandbox agree: every bill synced once, under the id Xingchen gave it
      const stored = new Map(sandbox.orders().map((order) => [order.billno, order.id]));
      expect([...stored.keys()].sort()).toEqual([...bills].sort());
      const ledger = await waitFor(
        async () => {
          const rows = await ledgerRows(bills);
          return [...rows.values()].every((row) => row.status === 'synced') ? rows : undefined;
        },
        { timeoutMs: 30_000, description: 'every ledger row synced' },
      );
      for (const billNo of bills) expect(ledger.get(billNo)?.xingchen_id).toBe(stored.get(billNo));
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
      await sandbox.close();
    }
  });
});
