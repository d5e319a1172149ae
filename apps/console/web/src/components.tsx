import type { ReactNode } from 'react';
import type { FieldDifference, Job } from '../../src/console-api';
import { BEIJING_FORMAT, isRecord, localTime, pretty, shortJson, toneOf } from './format';

/** A time in the browser's local time, its ISO text in the title. */
export function Time({ iso, timeOnly = false }: { iso: string | null | undefined; timeOnly?: boolean }) {
  if (!iso) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={iso}>
      {localTime(iso, timeOnly)}
    </time>
  );
}

/** A status coloured by what it means: synced green, pending grey, rejected/failed red, others amber. */
export function Badge({ value, testId }: { value: string; testId?: string }) {
  return (
    <span className={`badge badge-${toneOf(value)}`} data-testid={testId}>
      {value}
    </span>
  );
}

export const YesNo = ({ value }: { value: boolean }) => <Badge value={value ? 'yes' : 'no'} />;

export function ErrorBanner({ error }: { error: string | null | undefined }) {
  if (!error) return null;
  return (
    <div className="error-banner" data-testid="error-banner" role="alert">
      {error}
    </div>
  );
}

export const Loading = ({ what = '' }: { what?: string }) => (
  <p className="muted loading">loading{what ? ` ${what}` : ''}…</p>
);

export const Empty = ({ children }: { children: ReactNode }) => <p className="empty">{children}</p>;

export function Section({
  title,
  children,
  aside,
  wide = false,
}: {
  title: ReactNode;
  children: ReactNode;
  aside?: ReactNode;
  /** Across every column of a card grid. */
  wide?: boolean;
}) {
  return (
    <section className={wide ? 'card wide' : 'card'}>
      <div className="card-head">
        <h2>{title}</h2>
        {aside}
      </div>
      {children}
    </section>
  );
}

/** "page X of Y, N orders" with previous / next. */
export function Pager({
  page,
  pageSize,
  total,
  noun,
  onPage,
  testId,
}: {
  page: number;
  pageSize: number;
  total: number;
  noun: string;
  onPage: (page: number) => void;
  testId?: string;
}) {
  const pages = Math.max(1, Math.ceil(total / Math.max(1, pageSize)));
  return (
    <div className="pager">
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        ← prev
      </button>
      <span data-testid={testId}>
        page {page} of {pages}, {total} {noun}
      </span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        next →
      </button>
    </div>
  );
}

export function Json({
  value,
  testId,
  empty = '(none)',
}: {
  value: unknown;
  testId?: string;
  empty?: string;
}) {
  const text = value === null || value === undefined ? empty : pretty(value);
  return (
    <pre className="json" data-testid={testId}>
      {text}
    </pre>
  );
}

function Cell({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="muted">—</span>;
  if (typeof value === 'boolean') return <YesNo value={value} />;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint')
    return <>{String(value)}</>;
  return <code>{JSON.stringify(value)}</code>;
}

/** A two-column table of a record's entries. */
export function KeyValues({
  record,
  empty = 'nothing',
}: {
  record: Record<string, unknown>;
  empty?: string;
}) {
  const entries = Object.entries(record);
  if (entries.length === 0) return <Empty>{empty}</Empty>;
  return (
    <table className="kv">
      <tbody>
        {entries.map(([key, value]) => (
          <tr key={key}>
            <th scope="row">{key}</th>
            <td>
              <Cell value={value} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function DiffTable({ differences }: { differences: FieldDifference[] }) {
  return (
    <table className="grid diff">
      <thead>
        <tr>
          <th>field</th>
          <th>expected</th>
          <th>actual</th>
        </tr>
      </thead>
      <tbody>
        {differences.map((d, i) => (
          <tr key={`${d.field}-${i}`}>
            <td>
              <code>{d.field}</code>
            </td>
            <td>{d.expected ?? <span className="muted">(absent)</span>}</td>
            <td>{d.actual ?? <span className="muted">(absent)</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const isFlat = (value: unknown): value is Record<string, string | number | boolean | null> =>
  isRecord(value) && Object.values(value).every((v) => v === null || typeof v !== 'object');

/** A job's final counts: a table when they are flat, else the JSON. */
export function ResultView({ value }: { value: unknown }) {
  if (isFlat(value)) return <KeyValues record={value} empty="no counts" />;
  return <Json value={value} />;
}

/** A running or finished job: its state, progress fields and then its result or error. */
export function JobPanel({ job, renderResult }: { job: Job; renderResult?: (job: Job) => ReactNode }) {
  const progress = Object.entries(job.progress ?? {});
  return (
    <div className={`job job-${job.state}`} aria-live="polite">
      <div className="job-head">
        <strong>{job.kind}</strong> job <code title={job.id}>{job.id.slice(0, 8)}</code>{' '}
        <span className={`badge badge-${toneOf(job.state)}`} data-testid="job-state">
          {job.state}
        </span>{' '}
        <span className="muted">
          started <Time iso={job.startedAt} /> by {job.actor}
          {job.finishedAt ? (
            <>
              , finished <Time iso={job.finishedAt} />
            </>
          ) : null}
        </span>
        {job.state === 'running' ? <span className="spinner" aria-hidden="true" /> : null}
      </div>
      {progress.length > 0 ? (
        <ul className="progress">
          {progress.map(([key, value]) => (
            <li key={key}>
              <span className="muted">{key}</span> <strong>{String(value)}</strong>
            </li>
          ))}
        </ul>
      ) : null}
      {job.state === 'done' ? (
        <div className="job-result" data-testid="job-result">
          {renderResult ? renderResult(job) : <ResultView value={job.result} />}
        </div>
      ) : null}
      {job.state === 'failed' ? (
        <ErrorBanner error={`job failed: ${job.error ?? 'no reason given'}`} />
      ) : null}
    </div>
  );
}

/** The job of a tracker (or why it could not be started / read). */
export function TrackedJob({
  job,
  error,
  renderResult,
}: {
  job: Job | null;
  error: string | null;
  renderResult?: (job: Job) => ReactNode;
}) {
  return (
    <>
      <ErrorBanner error={error} />
      {job ? <JobPanel job={job} renderResult={renderResult} /> : null}
    </>
  );
}

/** A small table of recent jobs. */
export function JobsTable({
  jobs,
  onOpen,
  current,
}: {
  jobs: Job[];
  onOpen?: (job: Job) => void;
  current?: string;
}) {
  if (jobs.length === 0) return <Empty>no jobs yet</Empty>;
  return (
    <table className="grid">
      <thead>
        <tr>
          <th>started</th>
          <th>kind</th>
          <th>actor</th>
          <th>state</th>
          <th>request</th>
          <th>progress</th>
          <th>finished</th>
          <th>error</th>
          {onOpen ? <th /> : null}
        </tr>
      </thead>
      <tbody>
        {jobs.map((job) => (
          <tr key={job.id} className={job.id === current ? 'current' : undefined}>
            <td>
              <Time iso={job.startedAt} />
            </td>
            <td>{job.kind}</td>
            <td>{job.actor}</td>
            <td>
              <Badge value={job.state} />
            </td>
            <td className="small">
              <code>{shortJson(job.request, 120)}</code>
            </td>
            <td className="small">
              {Object.entries(job.progress ?? {})
                .map(([k, v]) => `${k} ${String(v)}`)
                .join(' · ')}
            </td>
            <td>
              <Time iso={job.finishedAt} />
            </td>
            <td className="small">{job.error ?? ''}</td>
            {onOpen ? (
              <td>
                <button type="button" onClick={() => onOpen(job)}>
                  open
                </button>
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The from/to inputs of a WDT period, Beijing time as WDT writes it (`<prefix>-from`, `<prefix>-to`). */
export function BeijingRange(props: {
  testIdPrefix: string;
  from: string;
  to: string;
  onFrom: (value: string) => void;
  onTo: (value: string) => void;
}) {
  return (
    <>
      <label>
        from (Beijing)
        <input
          data-testid={`${props.testIdPrefix}-from`}
          placeholder={BEIJING_FORMAT}
          value={props.from}
          onChange={(event) => props.onFrom(event.target.value)}
        />
      </label>
      <label>
        to (Beijing)
        <input
          data-testid={`${props.testIdPrefix}-to`}
          placeholder={BEIJING_FORMAT}
          value={props.to}
          onChange={(event) => props.onTo(event.target.value)}
        />
      </label>
    </>
  );
}
