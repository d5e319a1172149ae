import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import type { OrderDetail, OrderSummary, Page, SyncAttempt } from '../../../src/console-api';
import { useApi, useIsOperator } from '../api';
import { Badge, DiffTable, Empty, ErrorBanner, Json, Loading, Pager, Section, Time } from '../components';
import { dayInputValue, dayToIso, query } from '../format';
import { LEDGER_STATUSES } from './Overview';

const PAGE_SIZE = 50;

const pageOf = (params: URLSearchParams): number => {
  const page = Number(params.get('page') ?? '1');
  return Number.isInteger(page) && page >= 1 ? page : 1;
};

export const orderLink = (billNo: string): string => `/orders/${encodeURIComponent(billNo)}`;

export function OrdersPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const status = params.get('status') ?? '';
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const page = pageOf(params);

  const [form, setForm] = useState({ q, status, from: dayInputValue(from), to: dayInputValue(to) });
  useEffect(() => {
    setForm({ q, status, from: dayInputValue(from), to: dayInputValue(to) });
  }, [q, status, from, to]);

  const path = `/api/orders?${query({
    q: q.trim(),
    status,
    from: dayToIso(from, false),
    to: dayToIso(to, true),
    page,
    pageSize: PAGE_SIZE,
  })}`;
  const { data, error, loading } = useApi<Page<OrderSummary>>(path);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (form.q.trim()) next.set('q', form.q.trim());
    if (form.status) next.set('status', form.status);
    if (form.from) next.set('from', form.from);
    if (form.to) next.set('to', form.to);
    setParams(next);
  };
  const goTo = (target: number) =>
    setParams((previous) => {
      const next = new URLSearchParams(previous);
      next.set('page', String(target));
      return next;
    });

  return (
    <>
      <div className="page-head">
        <h1>Orders</h1>
      </div>
      <form className="filters" onSubmit={submit}>
        <label>
          trade or bill number
          <input
            type="search"
            data-testid="orders-search"
            placeholder="trade no / bill no (exact or prefix)"
            value={form.q}
            onChange={(event) => setForm({ ...form, q: event.target.value })}
          />
        </label>
        <label>
          status
          <select
            data-testid="orders-status"
            value={form.status}
            onChange={(event) => setForm({ ...form, status: event.target.value })}
          >
            <option value="">all</option>
            {LEDGER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          modified from
          <input
            type="date"
            data-testid="orders-from"
            value={form.from}
            onChange={(event) => setForm({ ...form, from: event.target.value })}
          />
        </label>
        <label>
          to
          <input
            type="date"
            data-testid="orders-to"
            value={form.to}
            onChange={(event) => setForm({ ...form, to: event.target.value })}
          />
        </label>
        <button type="submit" className="primary" data-testid="orders-submit">
          Search
        </button>
      </form>
      <ErrorBanner error={error} />
      {!data ? (
        loading ? (
          <Loading what="orders" />
        ) : null
      ) : (
        <>
          <Pager
            page={data.page}
            pageSize={data.pageSize}
            total={data.total}
            noun="orders"
            onPage={goTo}
            testId="orders-total"
          />
          {data.rows.length === 0 ? (
            <Empty>no orders match</Empty>
          ) : (
            <table className="grid">
              <thead>
                <tr>
                  <th>bill no</th>
                  <th>trade</th>
                  <th>status</th>
                  <th>Xingchen id</th>
                  <th>WDT modified</th>
                  <th className="num">attempts</th>
                  <th>last error</th>
                  <th>last synced</th>
                  <th>updated</th>
                </tr>
              </thead>
              <tbody>
                {data.rows.map((order) => (
                  <tr key={order.billNo} data-testid="orders-row">
                    <td>
                      <Link to={orderLink(order.billNo)}>{order.billNo}</Link>
                    </td>
                    <td>{order.tradeId}</td>
                    <td>
                      <Badge value={order.status} />
                    </td>
                    <td>{order.xingchenId ?? <span className="muted">—</span>}</td>
                    <td>
                      <Time iso={order.sourceModified} />
                    </td>
                    <td className="num">{String(order.attempts)}</td>
                    <td className="small">
                      {order.lastErrorCode ? <code>{order.lastErrorCode}</code> : null}{' '}
                      {order.lastErrorMessage ?? ''}
                    </td>
                    <td>
                      <Time iso={order.lastSyncedAt} />
                    </td>
                    <td>
                      <Time iso={order.updatedAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </>
  );
}

export function OrderPage() {
  const { billNo = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const reveal = params.get('reveal') === 'true';
  const operator = useIsOperator();
  const path = `/api/orders/${encodeURIComponent(billNo)}${reveal ? '?reveal=true' : ''}`;
  const { data, error, loading } = useApi<OrderDetail>(path);

  return (
    <>
      <div className="page-head">
        <h1>
          Order <code>{billNo}</code>
        </h1>
        <Link to="/orders">← all orders</Link>
      </div>
      <ErrorBanner error={error} />
      {!data ? (
        loading ? (
          <Loading what="the order" />
        ) : null
      ) : (
        <OrderBody
          detail={data}
          operator={operator}
          revealed={reveal}
          onReveal={(on) => setParams(on ? { reveal: 'true' } : {})}
        />
      )}
    </>
  );
}

function OrderBody({
  detail,
  operator,
  revealed,
  onReveal,
}: {
  detail: OrderDetail;
  operator: boolean;
  revealed: boolean;
  onReveal: (on: boolean) => void;
}) {
  const { order, wdt, attempts, reconciliation } = detail;
  return (
    <div className="cards">
      <Section title="Ledger">
        <table className="kv">
          <tbody>
            <Row label="status">
              <Badge value={order.status} testId="order-status" />
            </Row>
            <Row label="bill no">{order.billNo}</Row>
            <Row label="trade">{order.tradeId}</Row>
            <Row label="Xingchen id">{order.xingchenId ?? '—'}</Row>
            <Row label="pending operation">{order.pendingOperation ?? '—'}</Row>
            <Row label="WDT modified">
              <Time iso={order.sourceModified} />
            </Row>
            <Row label="attempts">{String(order.attempts)}</Row>
            <Row label="first synced">
              <Time iso={order.firstSyncedAt} />
            </Row>
            <Row label="last synced">
              <Time iso={order.lastSyncedAt} />
            </Row>
            <Row label="cancelled">
              <Time iso={order.cancelledAt} />
            </Row>
            <Row label="updated">
              <Time iso={order.updatedAt} />
            </Row>
            <Row label="last error">
              {order.lastErrorCode || order.lastErrorMessage ? (
                <>
                  {order.lastErrorCode ? <code>{order.lastErrorCode}</code> : null}{' '}
                  {order.lastErrorMessage ?? ''}
                </>
              ) : (
                '—'
              )}
            </Row>
            <Row label="content hash">
              <code className="hash">{order.contentHash ?? '—'}</code>
            </Row>
            <Row label="synced content hash">
              <code className="hash">{order.syncedContentHash ?? '—'}</code>
              {order.contentHash &&
              order.syncedContentHash &&
              order.contentHash !== order.syncedContentHash ? (
                <span className="badge badge-amber">differs</span>
              ) : null}
            </Row>
          </tbody>
        </table>
      </Section>

      <Section title="WDT now">
        <table className="kv">
          <tbody>
            <Row label="status">
              <span data-testid="order-wdt-status">
                {wdt.error ? (
                  <span className="error-text">{wdt.error}</span>
                ) : wdt.found ? (
                  (wdt.status ?? '—')
                ) : (
                  'not found in WDT'
                )}
              </span>
            </Row>
            <Row label="modified">
              <Time iso={wdt.modified} />
            </Row>
          </tbody>
        </table>
      </Section>

      <Section title="Reconciliation">
        <p>
          <Badge value={reconciliation.state} testId="order-reconciliation-state" />{' '}
          {reconciliation.detail ? <span>{reconciliation.detail}</span> : null}
        </p>
        {reconciliation.xingchenIds.length > 0 ? (
          <p className="small">
            Xingchen ids: <code>{reconciliation.xingchenIds.join(', ')}</code>
          </p>
        ) : null}
        {reconciliation.differences.length > 0 ? (
          <DiffTable differences={reconciliation.differences} />
        ) : null}
      </Section>

      <Section
        wide
        title={`Sync attempts (${attempts.length})`}
        aside={
          <span className="masking">
            {detail.masked ? <span className="badge badge-grey">masked</span> : <Badge value="revealed" />}
            {operator && detail.masked ? (
              <button type="button" data-testid="reveal" onClick={() => onReveal(true)}>
                Reveal
              </button>
            ) : null}
            {revealed && !detail.masked ? (
              <button type="button" onClick={() => onReveal(false)}>
                Mask again
              </button>
            ) : null}
          </span>
        }
      >
        {attempts.length === 0 ? <Empty>no sync attempts</Empty> : <Attempts attempts={attempts} />}
      </Section>
    </div>
  );
}

const Row = ({ label, children }: { label: string; children: ReactNode }) => (
  <tr>
    <th scope="row">{label}</th>
    <td>{children}</td>
  </tr>
);

function Attempts({ attempts }: { attempts: SyncAttempt[] }) {
  const [open, setOpen] = useState<Set<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((previous) => {
      const next = new Set(previous);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  return (
    <table className="grid attempts">
      <thead>
        <tr>
          <th />
          <th>time</th>
          <th>operation</th>
          <th>outcome</th>
          <th>Xingchen id</th>
          <th className="num">duration</th>
          <th>error</th>
        </tr>
      </thead>
      <tbody>
        {attempts.map((attempt) => {
          const expanded = open.has(attempt.id);
          return [
            <tr key={attempt.id} data-testid="attempt-row" className={expanded ? 'expanded' : undefined}>
              <td>
                <button
                  type="button"
                  className="toggle"
                  data-testid="attempt-toggle"
                  aria-expanded={expanded}
                  onClick={() => toggle(attempt.id)}
                >
                  {expanded ? '▾' : '▸'}
                </button>
              </td>
              <td>
                <Time iso={attempt.attemptedAt} />
              </td>
              <td>{attempt.operation}</td>
              <td>
                <Badge value={attempt.outcome} />
              </td>
              <td>{attempt.xingchenId ?? '—'}</td>
              <td className="num">{`${attempt.durationMs} ms`}</td>
              <td className="small">
                {attempt.errorCode ? <code>{attempt.errorCode}</code> : null} {attempt.errorMessage ?? ''}
              </td>
            </tr>,
            expanded ? (
              <tr key={`${attempt.id}-bodies`} className="attempt-bodies">
                <td />
                <td colSpan={6}>
                  <div className="bodies">
                    <div>
                      <h4>request sent</h4>
                      <Json value={attempt.request} testId="attempt-request" empty="(not recorded)" />
                    </div>
                    <div>
                      <h4>
                        Xingchen answered
                        {attempt.response?.status != null ? ` HTTP ${attempt.response.status}` : ''}
                      </h4>
                      <Json
                        value={attempt.response ? attempt.response.body : null}
                        testId="attempt-response"
                        empty={attempt.response ? '(empty body)' : '(no answer recorded)'}
                      />
                    </div>
                  </div>
                </td>
              </tr>
            ) : null,
          ];
        })}
      </tbody>
    </table>
  );
}
