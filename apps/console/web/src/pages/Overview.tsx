import { Link } from 'react-router';
import type { Overview, ServiceHealth } from '../../../src/console-api';
import { useApi } from '../api';
import { Badge, Empty, ErrorBanner, KeyValues, Loading, Section, Time, YesNo } from '../components';
import { query } from '../format';

export const LEDGER_STATUSES = [
  'pending',
  'synced',
  'rejected',
  'failed',
  'cancelled_in_source',
  'audited_in_xingchen',
] as const;

/** The known statuses first, then any other the server counts. */
const statusesOf = (...records: Array<Record<string, number>>): string[] => {
  const extra = records
    .flatMap((r) => Object.keys(r))
    .filter((s) => !(LEDGER_STATUSES as readonly string[]).includes(s));
  return [...LEDGER_STATUSES, ...new Set(extra)];
};

function problemsOf(service: ServiceHealth): string {
  if (service.error) return service.error;
  const failing = Object.entries(service.checks ?? {}).filter(([, check]) => !check.ok);
  if (failing.length === 0) return '';
  return failing.map(([name, check]) => (check.detail ? `${name}: ${check.detail}` : name)).join('; ');
}

export function OverviewPage() {
  const { data, error } = useApi<Overview>('/api/overview', 5000);

  return (
    <>
      <div className="page-head">
        <h1>Overview</h1>
        {data ? (
          <span className="muted" data-testid="overview-updated">
            updated <Time iso={data.generatedAt} timeOnly />
          </span>
        ) : null}
      </div>
      <ErrorBanner error={error} />
      {!data ? error ? null : <Loading what="the overview" /> : <OverviewBody overview={data} />}
    </>
  );
}

function OverviewBody({ overview }: { overview: Overview }) {
  const { services, lag, freshness, ledger, outcomes, quota, deadLetters, lastErrors } = overview;
  const outcomeStatuses = statusesOf(outcomes.lastHour, outcomes.lastDay).filter(
    (s) => (outcomes.lastHour[s] ?? 0) > 0 || (outcomes.lastDay[s] ?? 0) > 0,
  );
  return (
    <div className="cards">
      <Section title="Services">
        {services.length === 0 ? (
          <Empty>no services configured</Empty>
        ) : (
          <table className="grid">
            <thead>
              <tr>
                <th>service</th>
                <th>live</th>
                <th>ready</th>
                <th>failing checks / error</th>
              </tr>
            </thead>
            <tbody>
              {services.map((service) => (
                <tr key={service.name} data-testid={`service-row-${service.name}`}>
                  <td title={service.url}>{service.name}</td>
                  <td>
                    <YesNo value={service.live} />
                  </td>
                  <td>
                    <YesNo value={service.ready} />
                  </td>
                  <td className="small">
                    {problemsOf(service) || <span className="muted">all checks pass</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>

      <Section title="Consumer lag">
        {lag.length === 0 ? (
          <Empty>no consumers</Empty>
        ) : (
          <table className="grid">
            <thead>
              <tr>
                <th>consumer</th>
                <th>group</th>
                <th>topic</th>
                <th className="num">lag</th>
              </tr>
            </thead>
            <tbody>
              {lag.map((row) => (
                <tr key={`${row.consumer}|${row.group}|${row.topic}`} data-testid="lag-row">
                  <td>{row.consumer}</td>
                  <td>
                    <code>{row.group}</code>
                  </td>
                  <td>
                    <code>{row.topic}</code>
                  </td>
                  <td className="num">
                    {row.lag === null ? (
                      <span className="muted">{row.error ?? 'unknown'}</span>
                    ) : (
                      String(row.lag)
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>

      <Section title="Freshness">
        <table className="kv">
          <tbody>
            <tr>
              <th scope="row">extractor checkpoint</th>
              <td>
                <Time iso={freshness.checkpoint} />
              </td>
            </tr>
            <tr>
              <th scope="row">WDT now</th>
              <td>
                <Time iso={freshness.wdtNow} />
              </td>
            </tr>
            <tr>
              <th scope="row">lag</th>
              <td>{freshness.lagSeconds === null ? '—' : `${freshness.lagSeconds} s`}</td>
            </tr>
          </tbody>
        </table>
      </Section>

      <Section title="Ledger">
        <table className="grid">
          <thead>
            <tr>
              <th>status</th>
              <th className="num">orders</th>
            </tr>
          </thead>
          <tbody>
            {statusesOf(ledger.byStatus).map((status) => (
              <tr key={status}>
                <td>
                  <Badge value={status} />
                </td>
                <td className="num" data-testid={`ledger-count-${status}`}>
                  {String(ledger.byStatus[status] ?? 0)}
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">total</th>
              <td className="num" data-testid="ledger-total">
                {String(ledger.total)}
              </td>
            </tr>
          </tfoot>
        </table>
      </Section>

      <Section title="Outcomes">
        {outcomeStatuses.length === 0 ? (
          <Empty>no ledger changes in the last day</Empty>
        ) : (
          <table className="grid">
            <thead>
              <tr>
                <th>status</th>
                <th className="num">last hour</th>
                <th className="num">last day</th>
              </tr>
            </thead>
            <tbody>
              {outcomeStatuses.map((status) => (
                <tr key={status}>
                  <td>
                    <Badge value={status} />
                  </td>
                  <td className="num">{String(outcomes.lastHour[status] ?? 0)}</td>
                  <td className="num">{String(outcomes.lastDay[status] ?? 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>

      <Section title="Xingchen quota">
        <h3>requests by outcome</h3>
        <KeyValues record={quota.requestsByOutcome} empty="no requests counted" />
        <table className="kv">
          <tbody>
            <tr>
              <th scope="row">throttled</th>
              <td>{String(quota.throttled)}</td>
            </tr>
            <tr>
              <th scope="row">rate limit</th>
              <td>{quota.ratePerMinute === null ? 'not reported' : `${quota.ratePerMinute} / min`}</td>
            </tr>
          </tbody>
        </table>
        <h3>budgets</h3>
        {quota.budgets.length === 0 ? (
          <Empty>no shared budgets</Empty>
        ) : (
          <table className="grid">
            <thead>
              <tr>
                <th>key</th>
                <th>detail</th>
              </tr>
            </thead>
            <tbody>
              {quota.budgets.map((budget) => (
                <tr key={budget.key}>
                  <td>
                    <code>{budget.key}</code>
                  </td>
                  <td>{budget.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>

      <Section title="Dead letters">
        {deadLetters.length === 0 ? (
          <Empty>no dead letters</Empty>
        ) : (
          <table className="grid">
            <thead>
              <tr>
                <th>queue</th>
                <th>reason</th>
                <th>error class</th>
                <th className="num">count</th>
              </tr>
            </thead>
            <tbody>
              {deadLetters.map((row) => (
                <tr key={`${row.source}|${row.reason}|${row.errorClass}`} data-testid="dlq-count-row">
                  <td title={row.topic}>{row.source}</td>
                  <td>
                    <Link
                      to={`/dead-letters?${query({ source: row.source, reason: row.reason, errorClass: row.errorClass })}`}
                    >
                      {row.reason}
                    </Link>
                  </td>
                  <td>{row.errorClass}</td>
                  <td className="num">{String(row.count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>

      <Section title="Last errors">
        {lastErrors.length === 0 ? (
          <Empty>no errors</Empty>
        ) : (
          <table className="grid">
            <thead>
              <tr>
                <th>bill no</th>
                <th>status</th>
                <th>code</th>
                <th>message</th>
                <th>at</th>
              </tr>
            </thead>
            <tbody>
              {lastErrors.map((row) => (
                <tr key={`${row.billNo}|${row.at}`}>
                  <td>
                    <Link to={`/orders/${encodeURIComponent(row.billNo)}`}>{row.billNo}</Link>
                  </td>
                  <td>
                    <Badge value={row.status} />
                  </td>
                  <td>{row.code ?? '—'}</td>
                  <td className="small">{row.message ?? ''}</td>
                  <td>
                    <Time iso={row.at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </div>
  );
}
