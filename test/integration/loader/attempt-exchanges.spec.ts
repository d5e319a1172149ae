import { Client } from 'pg';
import { testDatabaseUrl, waitFor } from '@app/testing';
import { families, loaderScenario } from './loader-harness';

interface ExchangeRow {
  operation: string;
  outcome: string;
  request_body: string | null;
  response_status: number | null;
  response_body: string | null;
}

async function exchangesOf(billNo: string): Promise<ExchangeRow[]> {
  const client = new Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    const { rows } = await client.query<ExchangeRow>(
      'SELECT operation, outcome, request_body, response_status, response_body FROM sales_order_sync_attempts WHERE bill_no = $1 ORDER BY id',
      [billNo],
    );
    return rows;
  } finally {
    await client.end();
  }
}

describe.each(families)(
  'loader (%s): each attempt keeps the body it sent and what Xingchen answered',
  (family) => {
    const s = loaderScenario(family);

    it('records the save body with the bill number and the 200 answer with the new id; never a credential', async () => {
      const topics = await s.newTopics();
      const [billNo] = await s.produceNew(topics, 1, 'JY-EXCH');
      s.loader = await s.start(topics);
      await waitFor(() => s.sandbox.orders().some((o) => o.billno === billNo), {
        timeoutMs: 60_000,
        description: `${billNo} in Xingchen`,
      });
      const rows = await waitFor(async () => {
        const found = await exchangesOf(billNo);
        return found.some((row) => row.operation === 'create') ? found : undefined;
      });
      const create = rows.find((row) => row.operation === 'create')!;
      expect(create.outcome).toBe('success');
      expect(create.request_body).toContain(billNo);
      expect(create.response_status).toBe(200);
      const stored = s.sandbox.orders().find((o) => o.billno === billNo)!;
      expect(create.response_body).toContain(stored.id);
      // the token and login calls are not attempts of a bill: no secret reaches the ledger
      for (const row of rows) {
        expect(row.request_body ?? '').not.toMatch(/password|client_secret|app_secret/i);
      }
    });
  },
);
