import { type Consumer, type Kafka } from 'kafkajs';
import pino from 'pino';
import { Registry } from 'prom-client';
import { FatalError } from '@app/contracts';
import { createMetrics } from '@app/observability';
import { ConsumerRunner } from './consumer-runner';
import { Outcome } from './consumer.types';
import { type BatchingProducer } from './producer';

type Listener = (event: { payload: Record<string, unknown> }) => void;

/** What the runner uses of a kafkajs consumer; events are emitted by the test. */
class FakeConsumer {
  readonly events = { GROUP_JOIN: 'join', CRASH: 'crash', STOP: 'stop', DISCONNECT: 'disconnect' };
  readonly listeners = new Map<string, Listener[]>();
  running = false;
  disconnected = false;

  on(event: string, listener: Listener): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }
  emit(event: string, payload: Record<string, unknown> = {}): void {
    for (const listener of this.listeners.get(event) ?? []) listener({ payload });
  }
  async connect(): Promise<void> {}
  async subscribe(): Promise<void> {}
  async run(): Promise<void> {
    this.running = true;
  }
  async disconnect(): Promise<void> {
    this.disconnected = true;
    this.running = false;
    this.emit(this.events.DISCONNECT);
  }
  async stop(): Promise<void> {}
  pause(): void {}
  resume(): void {}
}

function runnerWithFakes(rejoinDeadlineMs: number) {
  const consumers: FakeConsumer[] = [];
  const kafka = {
    consumer: () => {
      const consumer = new FakeConsumer();
      consumers.push(consumer);
      return consumer as unknown as Consumer;
    },
  } as unknown as Kafka;
  const metrics = createMetrics(new Registry());
  const runner = new ConsumerRunner(kafka, {} as BatchingProducer, metrics, pino({ level: 'silent' }), {
    name: 'live',
    groupId: 'erpsync.test',
    topics: ['t'],
    rejoinDeadlineMs,
  });
  const rebuilds = async () =>
    (await metrics.consumerRebuilds.get()).values.reduce((sum, { value }) => sum + value, 0);
  return { runner, consumers, rebuilds };
}

const handler = async () => Outcome.done;
const crash = (error: Error, restart: boolean) => ({ error, restart, groupId: 'erpsync.test' });

describe('consumer runner: a kafkajs consumer that will not get back into its group is replaced', () => {
  const started: ConsumerRunner[] = [];
  /** A runner started on fakes whose first consumer has joined its group. */
  const joinedRunner = async (rejoinDeadlineMs: number) => {
    const fakes = runnerWithFakes(rejoinDeadlineMs);
    started.push(fakes.runner);
    await fakes.runner.start(handler);
    fakes.consumers[0].emit('join');
    return fakes;
  };
  beforeEach(() => jest.useFakeTimers());
  afterEach(async () => {
    await Promise.all(started.splice(0).map((runner) => runner.stop()));
    jest.useRealTimers();
  });

  it('replaces a consumer kafkajs gave up on (restart: false) and turns ready when the new one joins', async () => {
    const { runner, consumers, rebuilds } = await joinedRunner(60_000);
    expect(runner.health()).toEqual({ joined: true, crashed: false });

    consumers[0].emit('crash', crash(new Error('Closed connection'), false));
    expect(runner.health()).toMatchObject({ joined: false, crashed: false });
    await jest.advanceTimersByTimeAsync(999);
    expect(consumers).toHaveLength(1); // the first replacement waits a second
    await jest.advanceTimersByTimeAsync(1);
    expect(consumers).toHaveLength(2);
    expect(consumers[1].running).toBe(true);
    expect(consumers[0].disconnected).toBe(true);
    expect(await rebuilds()).toBe(1);

    consumers[0].emit('join'); // a late event of the replaced consumer changes nothing
    expect(runner.health().joined).toBe(false);
    consumers[1].emit('join');
    expect(runner.health()).toEqual({ joined: true, crashed: false });
  });

  it('backs off between replacements of a consumer that never joins, and starts over once one does', async () => {
    const { consumers } = await joinedRunner(60_000);
    const gaveUp = () =>
      consumers[consumers.length - 1].emit('crash', crash(new Error('Closed connection'), false));
    gaveUp();
    await jest.advanceTimersByTimeAsync(1000);
    expect(consumers).toHaveLength(2);
    gaveUp();
    await jest.advanceTimersByTimeAsync(1999);
    expect(consumers).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(consumers).toHaveLength(3);
    consumers[2].emit('join');
    gaveUp();
    await jest.advanceTimersByTimeAsync(1000);
    expect(consumers).toHaveLength(4);
  });

  it('replaces a consumer that stays out of its group past the deadline', async () => {
    const { runner, consumers, rebuilds } = await joinedRunner(200);
    consumers[0].emit('crash', crash(new Error('Connection error'), true)); // kafkajs restarts it, but it never joins
    await jest.advanceTimersByTimeAsync(150);
    expect(consumers).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1100); // the deadline, the next check, the one-second backoff
    expect(consumers).toHaveLength(2);
    expect(consumers[1].running).toBe(true);
    expect(await rebuilds()).toBe(1);
    expect(runner.health().cause).toMatch(/out of its group for \d+ s/);
  });

  it('leaves a consumer alone that kafkajs restarts and that rejoins within the deadline', async () => {
    const { runner, consumers, rebuilds } = await joinedRunner(2000);
    consumers[0].emit('crash', crash(new Error('Connection error'), true));
    consumers[0].emit('join');
    await jest.advanceTimersByTimeAsync(60_000);
    expect(consumers).toHaveLength(1);
    expect(await rebuilds()).toBe(0);
    expect(runner.health()).toEqual({ joined: true, crashed: false });
  });

  it('does not replace a consumer stopped by a FatalError: readiness stays red naming the cause', async () => {
    const { runner, consumers } = await joinedRunner(200);
    consumers[0].emit('crash', crash(new FatalError('bad secret', { reason: 'auth' }), false));
    await jest.advanceTimersByTimeAsync(60_000);
    expect(consumers).toHaveLength(1);
    expect(runner.health()).toEqual({ joined: false, crashed: true, cause: 'bad secret' });
  });
});
