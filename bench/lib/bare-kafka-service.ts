/**
 * The baseline of the pipeline benchmark: a bare NestJS (HTTP) + kafkajs process, no erpsync code.
 * Run as a child process (`node dist/bench/lib/bare-kafka-service.js`, brokers in argv[2]); it reads
 * one JSON command per stdin line and answers one JSON line on stdout:
 *   {"cmd":"throughput","topic","count","size"}  produce `count` messages of `size` bytes (batches of
 *        200, acks=all, 4 batches in flight) and consume them in the same process (one consumer
 *        group, eachBatch) → {msgsPerSecond, seconds}
 *   {"cmd":"latency","topic","rate","seconds","size"}  one awaited send per message at `rate`/s;
 *        latency = consumed − about to send → {p50Ms, p99Ms, count}
 *   {"cmd":"exit"}
 * The parent reads this process's RSS and CPU from /proc, as it does for the services.
 */
import 'reflect-metadata';
import { createInterface } from 'node:readline';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Kafka, logLevel, Partitioners, type Consumer, type Producer } from 'kafkajs';

@Controller()
class HealthController {
  @Get('health/live')
  live(): { status: string } {
    return { status: 'ok' };
  }
}

@Module({ controllers: [HealthController] })
class BareModule {}

const brokers = (process.argv[2] ?? '127.0.0.1:9092').split(',');
const kafka = new Kafka({ brokers, clientId: 'bench-bare', logLevel: logLevel.NOTHING });
const reply = (message: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(message)}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function joinedConsumer(topic: string, group: string): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  return consumer;
}

async function waitForJoin(consumer: Consumer, timeoutMs = 60_000): Promise<void> {
  let joined = false;
  const remove = consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  const deadline = Date.now() + timeoutMs;
  while (!joined) {
    if (Date.now() > deadline) throw new Error('the bare consumer did not join its group');
    await sleep(20);
  }
  remove();
}

async function throughput(producer: Producer, topic: string, count: number, size: number) {
  const value = Buffer.alloc(size, 'x');
  const consumer = await joinedConsumer(topic, `bench-bare-${topic}`);
  let consumed = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const running = consumer.run({
    eachBatch: async ({ batch }) => {
      consumed += batch.messages.length;
      if (consumed >= count) done();
    },
  });
  await waitForJoin(consumer);
  await running;
  const started = performance.now();
  const batch = 200;
  const inFlight = 4;
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const from = next;
      next = Math.min(count, next + batch);
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: next - from }, (_, i) => ({ key: `k${from + i}`, value })),
      });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const timeout = sleep(Math.max(60_000, count)).then(() => {
    throw new Error(`consumed ${consumed} of ${count} in time`);
  });
  await Promise.race([finished, timeout]);
  const seconds = (performance.now() - started) / 1000;
  await consumer.disconnect();
  return { msgsPerSecond: count / seconds, seconds, count };
}

async function latency(producer: Producer, topic: string, rate: number, seconds: number, size: number) {
  const value = Buffer.alloc(size, 'x');
  const consumer = await joinedConsumer(topic, `bench-bare-${topic}`);
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const running = consumer.run({
    eachMessage: async ({ message }) => {
      const key = message.key?.toString() ?? '';
      const at = sentAt.get(key);
      if (at !== undefined) latencies.push(performance.now() - at);
    },
  });
  await waitForJoin(consumer);
  await running;
  const total = Math.round(rate * seconds);
  const started = performance.now();
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const key = `l${i}`;
    sentAt.set(key, performance.now());
    sends.push(producer.send({ topic, acks: -1, messages: [{ key, value }] }));
  }
  await Promise.all(sends);
  const deadline = Date.now() + 30_000;
  while (latencies.length < total && Date.now() < deadline) await sleep(50);
  await consumer.disconnect();
  const sorted = [...latencies].sort((a, b) => a - b);
  const pick = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  return { p50Ms: pick(50), p99Ms: pick(99), count: latencies.length, expected: total };
}

async function main(): Promise<void> {
  const app = await NestFactory.create(BareModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  reply({ event: 'ready', pid: process.pid });
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const command = JSON.parse(line) as {
      cmd: string;
      topic: string;
      count: number;
      size: number;
      rate: number;
      seconds: number;
    };
    try {
      if (command.cmd === 'exit') break;
      if (command.cmd === 'throughput')
        reply({
          event: 'throughput',
          ...(await throughput(producer, command.topic, command.count, command.size)),
        });
      else if (command.cmd === 'latency')
        reply({
          event: 'latency',
          ...(await latency(producer, command.topic, command.rate, command.seconds, command.size)),
        });
      else reply({ event: 'error', message: `unknown command ${command.cmd}` });
    } catch (error) {
      reply({ event: 'error', message: (error as Error).message });
    }
  }
  await producer.disconnect();
  await app.close();
  process.exit(0);
}

main().catch((error: unknown) => {
  reply({ event: 'error', message: (error as Error).message });
  process.exit(1);
});
