import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PerfToolFigures {
  producerRecordsPerSecond: number;
  producerMiBPerSecond: number;
  producerP50Ms: number;
  producerP99Ms: number;
  consumerRecordsPerSecond: number;
  consumerFetchRecordsPerSecond: number;
}

/**
 * Kafka's own perf tools (kafka-tools jar: org.apache.kafka.tools.ProducerPerformance and
 * ConsumerPerformance) on an existing topic: the broker's ceiling on this machine.
 */
export async function runKafkaPerfTools(options: {
  repoRoot: string;
  brokers: string[];
  topic: string;
  records: number;
  recordSize: number;
}): Promise<PerfToolFigures> {
  const libs = join(options.repoRoot, 'kafka', '.cache', 'libs');
  if (!existsSync(libs)) throw new Error(`${libs} is missing: run scripts/kafka.sh start once`);
  const log4j = join(options.repoRoot, 'kafka', '.cache', 'log4j2-tools.yaml');
  const java = (main: string, args: string[]) =>
    run(
      'java',
      [
        '-Xmx512m',
        '-cp',
        `${libs}/*`,
        ...(existsSync(log4j) ? [`-Dlog4j2.configurationFile=${log4j}`] : []),
        main,
        ...args,
      ],
      { timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
    );
  // both tools: the broker, the topic and the record count
  const common = [
    '--bootstrap-server',
    options.brokers.join(','),
    '--topic',
    options.topic,
    '--num-records',
    String(options.records),
  ];
  const producer = await java('org.apache.kafka.tools.ProducerPerformance', [
    ...common,
    '--record-size',
    String(options.recordSize),
    '--throughput',
    '-1',
    '--command-property',
    'acks=all',
  ]);
  // "100000 records sent, 18800.5 records/sec (35.86 MB/sec), 706.68 ms avg latency, …, 706 ms 50th, 1131 ms 95th, 1199 ms 99th, …"
  const summary = producer.stdout
    .split('\n')
    .reverse()
    .find((line) => /records sent.*50th/.test(line));
  if (!summary)
    throw new Error(`ProducerPerformance printed no summary:\n${producer.stdout}\n${producer.stderr}`);
  const num = (pattern: RegExp) => Number(pattern.exec(summary)?.[1] ?? Number.NaN);
  const consumer = await java('org.apache.kafka.tools.ConsumerPerformance', [
    ...common,
    '--timeout',
    '60000',
  ]);
  // header: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  const lines = consumer.stdout.split('\n').filter((line) => line.trim() !== '');
  const header = lines.findIndex((line) => line.startsWith('start.time'));
  if (header < 0 || !lines[header + 1])
    throw new Error(`ConsumerPerformance printed no figures:\n${consumer.stdout}\n${consumer.stderr}`);
  const names = lines[header].split(',').map((name) => name.trim());
  const values = lines[header + 1].split(',').map((value) => value.trim());
  const field = (name: string) => Number(values[names.indexOf(name)]);
  if (field('data.consumed.in.nMsg') < options.records)
    throw new Error(`ConsumerPerformance consumed ${field('data.consumed.in.nMsg')} of ${options.records}`);
  return {
    producerRecordsPerSecond: num(/([\d.]+) records\/sec/),
    producerMiBPerSecond: num(/\(([\d.]+) MB\/sec\)/),
    producerP50Ms: num(/([\d.]+) ms 50th/),
    producerP99Ms: num(/([\d.]+) ms 99th/),
    consumerRecordsPerSecond: field('nMsg.sec'),
    consumerFetchRecordsPerSecond: field('fetch.nMsg.sec'),
  };
}
