import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { formatWdtTime, parseWdtTime } from '@app/contracts';
import { LedgerQueries } from '@app/persistence';
import { hashPassword } from '@app/runtime';
import { waitFor } from '@app/testing';
import {
  demoMapping,
  NO_DRIFT,
  reconcileStack,
  repo,
  startE2eStack,
  xingchenOrders,
  type E2eStack,
} from './e2e-stack';

/** Debian's chromium (the test command installs it); no browser is downloaded. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(repo, 'out', 'e2e', 'console-screenshots');
const LOGINS = {
  operator: { user: 'operator', password: 'operator-e2e-pass' },
  viewer: { user: 'viewer', password: 'viewer-e2e-pass' },
};

describe('e2e: the operations console in a real browser, against the demo stack', () => {
  let e2e: E2eStack;
  let browser: Browser;
  let page: Page;
  let base: string;
  let incompleteMapping: string;

  const shot = async (name: string) => {
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  };
  const signIn = async (login: { user: string; password: string }) => {
    await page.goto(`${base}/login`);
    await page.getByTestId('login-user').fill(login.user);
    await page.getByTestId('login-password').fill(login.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('current-user').waitFor();
  };
  const signOut = async () => {
    await page.getByTestId('logout').click();
    await page.getByTestId('login-user').waitFor();
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`,
      );
    mkdirSync(SHOTS, { recursive: true });
    // a shop left out of the mapping: its orders are dead-lettered until the mapping is fixed
    const dir = mkdtempSync(join(tmpdir(), 'erpsync-console-'));
    incompleteMapping = join(dir, 'mapping-without-jd.yaml');
    writeFileSync(
      incompleteMapping,
      readFileSync(demoMapping, 'utf8').replace(/^\s*JD001: CUST-JD001\n/m, ''),
    );
    e2e = await startE2eStack({ trades: 200, seed: 23, mappingFile: incompleteMapping });
    // the console reads the configured mapping, the one the fix below rolls out
    e2e.stack.setEnv('console', { MAPPING_FILE: demoMapping });
    await e2e.stack.startConsole(
      await Promise.all(
        Object.entries(LOGINS).map(
          async ([role, login]) => `${login.user}:${role}:${await hashPassword(login.password)}`,
        ),
      ),
    );
    base = e2e.stack.url('console').replace('127.0.0.1', 'localhost');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await e2e.stack.waitUntilIdle(e2e.kafka);
  });
  afterAll(async () => {
    await browser?.close();
    await e2e?.stop();
  });

  it('asks for a sign-in first, then the overview shows the synced count of the ledger', async () => {
    await page.goto(`${base}/orders`);
    await page.getByTestId('login-user').waitFor();
    await page.getByTestId('login-user').fill(LOGINS.operator.user);
    await page.getByTestId('login-password').fill('wrong password');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').waitFor();
    await signIn(LOGINS.operator);
    const synced = await LedgerQueries.using(e2e.databaseUrl, (q) => q.countWithStatus('synced'));
    expect(synced).toBeGreaterThan(50);
    await page.getByTestId('nav-overview').click();
    await waitFor(
      async () => (await page.getByTestId('ledger-count-synced').textContent())?.trim() === String(synced),
      {
        timeoutMs: 30000,
        description: `the overview's synced count ${synced}`,
      },
    );
    await page.getByTestId('service-row-loader').waitFor();
    await shot('overview');
  });

  it('finds an order by its trade number and shows its attempts with what was sent and answered', async () => {
    const [synced] = await LedgerQueries.using(e2e.databaseUrl, async (q) => {
      const counts = await q.countsByStatus();
      expect(counts.synced).toBeGreaterThan(0);
      return (await xingchenOrders(e2e.stack)).slice(0, 1).map((o) => o.billno);
    });
    await page.getByTestId('nav-orders').click();
    await page.getByTestId('orders-search').fill(synced);
    await page.getByTestId('orders-submit').click();
    await waitFor(async () => (await page.getByTestId('orders-row').count()) === 1, {
      description: 'one order found',
    });
    await shot('orders');
    await page.getByTestId('orders-row').getByRole('link', { name: synced }).click();
    await page.getByTestId('order-status').waitFor();
    expect(await page.getByTestId('order-status').textContent()).toContain('synced');
    await page.getByTestId('attempt-row').first().waitFor();
    const creates = page.getByTestId('attempt-row').filter({ hasText: 'create' });
    expect(await creates.count()).toBeGreaterThanOrEqual(1);
    await creates.first().getByTestId('attempt-toggle').click();
    const sent = await page.getByTestId('attempt-request').first().textContent();
    expect(sent).toContain(synced);
    expect(await page.getByTestId('attempt-response').first().textContent()).toMatch(/200/);
    const state = page.getByTestId('order-reconciliation-state');
    await state.waitFor();
    await shot('order');
    expect(await page.locator('p', { has: state }).textContent()).toContain('in_sync');
  });

  it('redrives the dead letters of an unmapped shop after the mapping fix, and the orders appear', async () => {
    const gap = await reconcileStack(e2e, incompleteMapping);
    const lost = gap.dead_lettered
      .filter((entry) => entry.reason === 'unmapped_shop')
      .map((entry) => entry.tradeNo);
    expect(lost.length).toBeGreaterThan(0);
    await page.getByTestId('nav-dead-letters').click();
    await page.getByTestId('dlq-source-raw-dlq').click();
    await page.getByTestId('dlq-row').first().waitFor();
    await shot('dead-letters');

    // the fix: the transformer restarts with the complete mapping (as a rollout of the ConfigMap does)
    await e2e.stack.supervisor.stop('transformer');
    e2e.stack.setEnv('transformer', { MAPPING_FILE: demoMapping });
    await e2e.stack.startService('transformer');

    // one dead letter first …
    await page.getByTestId('dlq-select').first().check();
    await page.getByTestId('dlq-redrive-selected').click();
    await waitFor(async () => (await page.getByTestId('job-state').textContent())?.trim() === 'done', {
      timeoutMs: 120000,
      description: 'the redrive of one dead letter done',
    });
    expect(await page.getByTestId('job-result').textContent()).toMatch(/replayed\D*1\b/);
    await shot('redrive-one');

    // … then every one of the reason
    await page.goto(`${base}/dead-letters?source=raw-dlq&reason=unmapped_shop`);
    await page.getByTestId('dlq-redrive-reason').click();
    await waitFor(async () => (await page.getByTestId('job-state').textContent())?.trim() === 'done', {
      timeoutMs: 120000,
      description: 'the redrive of the reason done',
    });
    await waitFor(
      async () => {
        const billNos = new Set((await xingchenOrders(e2e.stack)).map((o) => o.billno));
        return lost.every((tradeNo) => billNos.has(tradeNo));
      },
      { timeoutMs: 180000, description: `the ${lost.length} dead-lettered orders created in Xingchen` },
    );
    await e2e.stack.waitUntilIdle(e2e.kafka);
    const fixed = await reconcileStack(e2e);
    expect(fixed.counts).toMatchObject({ ...NO_DRIFT, deadLettered: 0 });
    expect(fixed.clean).toBe(true);

    await page.goto(`${base}/orders?q=${encodeURIComponent(lost[0])}`);
    await waitFor(async () => (await page.getByTestId('orders-row').count()) === 1, {
      description: `the redriven order ${lost[0]} in the console`,
    });
    expect(await page.getByTestId('orders-row').textContent()).toContain('synced');
  });

  it('reconciles a period, offers the report as JSON and CSV, and previews a mapping', async () => {
    const trades = await e2e.stack.sandboxTrades();
    const modified = trades.map((t) => String(t.modified)).sort();
    await page.getByTestId('nav-reconciliation').click();
    await page.getByTestId('reconcile-from').fill(modified[0]);
    await page.getByTestId('reconcile-to').fill(modified[modified.length - 1]);
    await page.getByTestId('reconcile-submit').click();
    await waitFor(async () => (await page.getByTestId('reconcile-verdict').count()) > 0, {
      timeoutMs: 180000,
      description: 'the reconciliation verdict',
    });
    expect((await page.getByTestId('reconcile-verdict').textContent())?.trim()).toBe('CLEAN');
    const csvHref = await page.getByTestId('reconcile-download-csv').getAttribute('href');
    const csv = await page.evaluate(async (href) => (await fetch(href!)).text(), csvHref);
    expect(csv.split('\n')[0]).toContain('category');
    await shot('reconciliation');

    await page.getByTestId('nav-mapping').click();
    await page.getByTestId('mapping-trade').fill(JSON.stringify(trades[0]));
    await page.getByTestId('mapping-preview').click();
    await page.getByTestId('mapping-outcome').waitFor();
    await shot('mapping');
    // a resync of the first hour: the extractor's backfill, run by the console, re-reads it from WDT
    await page.getByTestId('nav-replay').click();
    await page.getByTestId('resync-from').fill(modified[0]);
    await page.getByTestId('resync-to').fill(formatWdtTime(parseWdtTime(modified[0]) + 3_599_000));
    await page.getByTestId('resync-submit').click();
    await waitFor(
      async () =>
        ['done', 'failed'].includes((await page.getByTestId('job-state').textContent())?.trim() ?? ''),
      {
        timeoutMs: 120000,
        description: 'the resync ended',
      },
    );
    expect((await page.getByTestId('job-state').textContent())?.trim()).toBe('done');
    expect(await page.getByTestId('job-result').textContent()).toMatch(/trades|windows/);
    await shot('replay');
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-row').first().waitFor();
    expect(await page.getByTestId('audit-row').filter({ hasText: 'redrive' }).count()).toBeGreaterThanOrEqual(
      2,
    );
    await shot('audit');
    await signOut();
  });

  it('a viewer sees no redrive button and is refused a redrive (403); logout ends the session', async () => {
    await signIn(LOGINS.viewer);
    await page.goto(`${base}/dead-letters?source=raw-dlq`);
    await page.getByTestId('dlq-source-raw-dlq').waitFor();
    expect(await page.getByTestId('dlq-redrive-selected').count()).toBe(0);
    expect(await page.getByTestId('dlq-redrive-all').count()).toBe(0);
    const status = await page.evaluate(async () => {
      const session = (await (await fetch('/api/session')).json()) as { csrfToken: string };
      const response = await fetch('/api/dead-letters/raw-dlq/redrive', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({ kind: 'all' }),
      });
      return response.status;
    });
    expect(status).toBe(403);
    await shot('viewer-dead-letters');
    await signOut();
    const after = await page.evaluate(async () => (await fetch('/api/overview')).status);
    expect(after).toBe(401);
  });
});
