import { useEffect, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import type {
  Job,
  ReconcileRequest,
  ReconciliationReportView,
  ReportEntryView,
} from '../../../src/console-api';
import { post, useApi, useJob } from '../api';
import {
  BeijingRange,
  DiffTable,
  Empty,
  ErrorBanner,
  JobsTable,
  Loading,
  Section,
  Time,
  TrackedJob,
} from '../components';
import { BEIJING_FORMAT, isBeijingTime, isRecord } from '../format';
import { orderLink } from './Orders';

const LISTS = [
  ['missing', 'Missing in Xingchen'],
  ['duplicated', 'Duplicated in Xingchen'],
  ['stale', 'Stale'],
  ['mismatched', 'Mismatched'],
  ['rejected', 'Rejected'],
  ['invalid', 'Invalid'],
  ['cancelledInSource', 'Cancelled in WDT'],
  ['auditedInXingchen', 'Audited in Xingchen'],
] as const;

const isReport = (value: unknown): value is ReconciliationReportView =>
  isRecord(value) && typeof value.clean === 'boolean' && isRecord(value.counts);

const reportPath = (jobId: string, ext: 'json' | 'csv'): string =>
  `/api/reconciliations/${encodeURIComponent(jobId)}/report.${ext}`;

export function ReconciliationPage() {
  const [params, setParams] = useSearchParams();
  const jobId = params.get('job');
  const history = useApi<Job[]>('/api/jobs?kind=reconcile');
  const job = useJob(() => history.reload());
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);

  // the job named in the URL (a previous one opened, or the one just started)
  useEffect(() => {
    if (jobId && job.job?.id !== jobId) void job.open(jobId);
    if (!jobId && job.job) job.clear();
  }, [jobId]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setInvalid(null);
    const request: ReconcileRequest = { from: from.trim(), to: to.trim() };
    if (!isBeijingTime(request.from) || !isBeijingTime(request.to))
      return setInvalid(`from and to are Beijing times: ${BEIJING_FORMAT}`);
    const started = await job.start(() => post<Job>('/api/reconciliations', request));
    if (started) {
      setParams({ job: started.id });
      history.reload();
    }
  };
  const running = job.starting || job.job?.state === 'running';

  return (
    <>
      <div className="page-head">
        <h1>Reconciliation</h1>
      </div>
      <Section title="Reconcile a WDT period">
        <form className="stack" onSubmit={(event) => void submit(event)}>
          <p className="muted small">
            Compares WDT, the ledger, Xingchen and the dead-letter queues for the trades WDT modified in this
            period (Beijing time). It only reads.
          </p>
          <div className="row">
            <BeijingRange testIdPrefix="reconcile" from={from} to={to} onFrom={setFrom} onTo={setTo} />
            <button type="submit" className="primary" data-testid="reconcile-submit" disabled={running}>
              Reconcile
            </button>
          </div>
          <ErrorBanner error={invalid} />
        </form>
      </Section>

      {jobId || job.job || job.error ? (
        <Section title="Result">
          <TrackedJob
            job={job.job}
            error={job.error}
            renderResult={(done) =>
              isReport(done.result) ? (
                <ReportView jobId={done.id} report={done.result} />
              ) : (
                <Empty>this job has no report</Empty>
              )
            }
          />
        </Section>
      ) : null}

      <Section
        title="Previous reconciliations"
        aside={
          <button type="button" onClick={history.reload}>
            Refresh
          </button>
        }
      >
        <ErrorBanner error={history.error} />
        {!history.data ? (
          history.loading ? (
            <Loading what="reconciliations" />
          ) : null
        ) : (
          <JobsTable
            jobs={history.data.filter((j) => j.kind === 'reconcile')}
            current={jobId ?? undefined}
            onOpen={(j) => setParams({ job: j.id })}
          />
        )}
      </Section>
    </>
  );
}

function ReportView({ jobId, report }: { jobId: string; report: ReconciliationReportView }) {
  return (
    <div className="report">
      <div className="report-head">
        <strong
          className={`verdict ${report.clean ? 'verdict-clean' : 'verdict-dirty'}`}
          data-testid="reconcile-verdict"
        >
          {report.clean ? 'CLEAN' : 'NOT CLEAN'}
        </strong>
        <span className="muted">
          period {report.period?.from ?? '…'} – {report.period?.to ?? '…'} (Beijing), generated{' '}
          <Time iso={report.generatedAt} />
        </span>
        <span className="downloads">
          <a href={reportPath(jobId, 'json')} download data-testid="reconcile-download-json">
            Download JSON
          </a>
          <a href={reportPath(jobId, 'csv')} download data-testid="reconcile-download-csv">
            Download CSV
          </a>
        </span>
      </div>

      <h3>counts</h3>
      <table className="kv counts">
        <tbody>
          {Object.entries(report.counts).map(([key, value]) => (
            <tr key={key}>
              <th scope="row">{key}</th>
              <td>
                {typeof value === 'number' ? (
                  String(value)
                ) : Object.keys(value).length === 0 ? (
                  <span className="muted">—</span>
                ) : (
                  <span className="small">
                    {Object.entries(value)
                      .map(([k, v]) => `${k} ${v}`)
                      .join(' · ')}
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      {LISTS.map(([key, title]) => {
        const entries: ReportEntryView[] = report[key] ?? [];
        return entries.length > 0 ? (
          <EntryList
            key={key}
            title={title}
            entries={entries}
            withDifferences={key === 'mismatched' || key === 'stale'}
          />
        ) : null;
      })}

      {(report.dead_lettered ?? []).length > 0 ? (
        <div className="report-list">
          <h3>Dead-lettered ({report.dead_lettered.length})</h3>
          <table className="grid">
            <thead>
              <tr>
                <th>trade</th>
                <th>hop</th>
                <th>reason</th>
                <th>message</th>
              </tr>
            </thead>
            <tbody>
              {report.dead_lettered.map((entry, i) => (
                <tr key={`${entry.tradeNo}-${i}`}>
                  <td>{entry.tradeNo}</td>
                  <td>{entry.hop}</td>
                  <td>{entry.reason}</td>
                  <td className="small">{entry.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}

function EntryList({
  title,
  entries,
  withDifferences,
}: {
  title: string;
  entries: ReportEntryView[];
  withDifferences: boolean;
}) {
  return (
    <div className="report-list">
      <h3>
        {title} ({entries.length})
      </h3>
      <table className="grid">
        <thead>
          <tr>
            <th>bill no</th>
            <th>reason</th>
            <th>detail</th>
            <th>Xingchen ids</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry, i) => [
            <tr key={`${entry.billNo}-${i}`}>
              <td>
                <Link to={orderLink(entry.billNo)}>{entry.billNo}</Link>
              </td>
              <td>{entry.reason}</td>
              <td className="small">{entry.detail ?? ''}</td>
              <td className="small">{entry.xingchenIds?.join(', ') ?? ''}</td>
            </tr>,
            withDifferences && entry.differences && entry.differences.length > 0 ? (
              <tr key={`${entry.billNo}-${i}-diff`} className="sub">
                <td />
                <td colSpan={3}>
                  <DiffTable differences={entry.differences} />
                </td>
              </tr>
            ) : null,
          ])}
        </tbody>
      </table>
    </div>
  );
}
