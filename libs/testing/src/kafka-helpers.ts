import { Kafka, logLevel, Partitioners, type Admin, type Message } from 'kafkajs';
import { consumerGroupLag, decodeHeaders, waitUntilServed } from '@app/kafka';
import { testBrokers } from './environment';
import { uniqueName, waitFor } from './wait';

export const testKafka = (clientId = 'erpsync-test'): Kafka =>
  new Kafka({ brokers: testBrokers(), clientId, logLevel: logLevel.NOTHING, retry: { retries: 5 } });

export interface ReadRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/** Creates fresh topics (random names unless given) and returns their names. */
export async function createTopics(admin: Admin, names: string[], numPartitions = 3): Promise<string[]> {
  await admin.createTopics({
    topics: names.map((topic) => ({ topic, numPartitions })),
    waitForLeaders: false,
  });
  await waitUntilServed(admin, names, numPartitions);
  return names;
}

export const randomTopic = (prefix = 'test'): string => uniqueName(prefix).replace(/[^a-zA-Z0-9._-]/g, '-');

export async function produce(kafka: Kafka, topic: string, messages: Message[]): Promise<void> {
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    await producer.send({ topic, messages, acks: -1 });
  } finally {
    await producer.disconnect();
  }
}

/** Reads every record of a topic from the beginning up to its current end (high watermarks). */
export async function readAll(kafka: Kafka, topic: string): Promise<ReadRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const expected = offsets.reduce((sum, p) => sum + (Number(p.high) - Number(p.low)), 0);
  const records: ReadRecord[] = [];
  if (expected === 0) return records;
  const consumer = kafka.consumer({ groupId: uniqueName('reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      records.push({
        topic,
        partition,
        offset: message.offset,
        key: message.key?.toString('utf8') ?? null,
        value: message.value?.toString('utf8') ?? null,
        headers: decodeHeaders(message.headers),
      });
    },
  });
  try {
    await waitFor(() => records.length >= expected, {
      timeoutMs: 60000,
      description: `${expected} records on ${topic}`,
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** Waits until a topic holds at least `count` records, then returns them all. */
export async function waitForRecords(
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 60000,
): Promise<ReadRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitFor(
      async () => {
        const offsets = await admin.fetchTopicOffsets(topic);
        return offsets.reduce((sum, p) => sum + (Number(p.high) - Number(p.low)), 0) >= count;
      },
      { timeoutMs, description: `${count} records on ${topic}` },
    );
  } finally {
    await admin.disconnect();
  }
  return readAll(kafka, topic);
}

/** Sum over partitions of (end offset − committed offset) for a group; 0 when it has consumed everything. */
export const groupLag = (admin: Admin, groupId: string, topic: string): Promise<number> =>
  consumerGroupLag(admin, groupId, topic);

/**
 * The consumer-level idle test: waits until `condition` (checked first, when given) holds and the
 * group has consumed and committed everything on `topic` (lag 0). The pipeline-level one is
 * `isPipelineIdle` / `waitUntilSteady` of `@app/runtime`.
 */
export async function waitForGroupCaughtUp(
  admin: Admin,
  groupId: string,
  topic: string,
  options: { timeoutMs?: number; description?: string; condition?: () => boolean } = {},
): Promise<void> {
  await waitFor(
    async () => (options.condition?.() ?? true) && (await groupLag(admin, groupId, topic)) === 0,
    { timeoutMs: options.timeoutMs, description: options.description ?? `${groupId} lag 0 on ${topic}` },
  );
}

/** The test broker of one describe block: a client, and an admin connected before its tests and disconnected after. */
export interface SuiteBroker {
  readonly kafka: Kafka;
  readonly admin: Admin;
}

/** Registers the beforeAll/afterAll of a describe block that talks to the test broker. */
export function suiteBroker(clientId?: string): SuiteBroker {
  let connected: SuiteBroker | undefined;
  beforeAll(async () => {
    const kafka = testKafka(clientId);
    const admin = kafka.admin();
    await admin.connect();
    connected = { kafka, admin };
  });
  afterAll(() => connected?.admin.disconnect());
  const get = (): SuiteBroker => {
    if (!connected) throw new Error('suiteBroker() is connected in beforeAll: use it inside a test');
    return connected;
  };
  return {
    get kafka() {
      return get().kafka;
    },
    get admin() {
      return get().admin;
    },
  };
}
