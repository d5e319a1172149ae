import { useState, type FormEvent } from 'react';
import type { Job, ReplayRequest, ResyncRequest } from '../../../src/console-api';
import { post, useApi, useIsOperator, useJob } from '../api';
import { BeijingRange, ErrorBanner, JobsTable, Loading, Section, TrackedJob } from '../components';
import { BEIJING_FORMAT, isBeijingTime, localInputToIso } from '../format';

const OPERATION_KINDS = new Set(['replay', 'resync', 'redrive']);

export function ReplayPage() {
  const operator = useIsOperator();
  const jobs = useApi<Job[]>('/api/jobs?kind=replay,resync,redrive');
  const recent = (jobs.data ?? []).filter((job) => OPERATION_KINDS.has(job.kind));

  return (
    <>
      <div className="page-head">
        <h1>Replay &amp; resync</h1>
      </div>
      {operator ? (
        <div className="cards">
          <ReplayForm onChange={jobs.reload} />
          <ResyncForm onChange={jobs.reload} />
        </div>
      ) : (
        <p className="note">Replays and resyncs are run by operators. You can follow their jobs below.</p>
      )}
      <Section
        title="Recent jobs"
        aside={
          <button type="button" onClick={jobs.reload}>
            Refresh
          </button>
        }
      >
        <ErrorBanner error={jobs.error} />
        {!jobs.data ? jobs.loading ? <Loading what="jobs" /> : null : <JobsTable jobs={recent} />}
      </Section>
    </>
  );
}

function ReplayForm({ onChange }: { onChange: () => void }) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [trades, setTrades] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const job = useJob(onChange);
  const running = job.starting || job.job?.state === 'running';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setInvalid(null);
    const request: ReplayRequest = {};
    if (from) {
      const iso = localInputToIso(from);
      if (!iso) return setInvalid('“from” is not a time');
      request.from = iso;
    }
    if (to) {
      const iso = localInputToIso(to);
      if (!iso) return setInvalid('“to” is not a time');
      request.to = iso;
    }
    const tradeNos = trades
      .split(/[\s,;]+/)
      .map((t) => t.trim())
      .filter((t) => t !== '');
    if (tradeNos.length > 0) request.tradeNos = tradeNos;
    if (!request.from && !request.to && !request.tradeNos)
      return setInvalid('give a broker-time range, trade numbers, or both');
    if (await job.start(() => post<Job>('/api/replays', request))) onChange();
  };

  return (
    <Section title="Replay from the raw topic">
      <form className="stack" onSubmit={(event) => void submit(event)}>
        <p className="muted small">
          Re-sends raw trades through the replay topic: a broker-time range (your local time), trade numbers,
          or both. The ledger keeps it idempotent.
        </p>
        <div className="row">
          <label>
            from (broker time)
            <input
              type="datetime-local"
              step="1"
              data-testid="replay-from"
              value={from}
              onChange={(event) => setFrom(event.target.value)}
            />
          </label>
          <label>
            to
            <input
              type="datetime-local"
              step="1"
              data-testid="replay-to"
              value={to}
              onChange={(event) => setTo(event.target.value)}
            />
          </label>
        </div>
        <label>
          trade numbers (comma or newline separated)
          <textarea
            rows={4}
            data-testid="replay-trades"
            value={trades}
            onChange={(event) => setTrades(event.target.value)}
          />
        </label>
        <ErrorBanner error={invalid} />
        <div>
          <button type="submit" className="primary" data-testid="replay-submit" disabled={running}>
            Replay
          </button>
        </div>
        <TrackedJob job={job.job} error={job.error} />
      </form>
    </Section>
  );
}

function ResyncForm({ onChange }: { onChange: () => void }) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const job = useJob(onChange);
  const running = job.starting || job.job?.state === 'running';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setInvalid(null);
    const request: ResyncRequest = { from: from.trim(), to: to.trim() };
    if (!isBeijingTime(request.from) || !isBeijingTime(request.to))
      return setInvalid(`from and to are Beijing times: ${BEIJING_FORMAT}`);
    if (await job.start(() => post<Job>('/api/resyncs', request))) onChange();
  };

  return (
    <Section title="Resync from WDT">
      <form className="stack" onSubmit={(event) => void submit(event)}>
        <p className="muted small">
          The extractor&apos;s backfill re-reads every trade WDT modified in this range (Beijing time,
          WDT&apos;s clock).
        </p>
        <div className="row">
          <BeijingRange testIdPrefix="resync" from={from} to={to} onFrom={setFrom} onTo={setTo} />
        </div>
        <ErrorBanner error={invalid} />
        <div>
          <button type="submit" className="primary" data-testid="resync-submit" disabled={running}>
            Resync
          </button>
        </div>
        <TrackedJob job={job.job} error={job.error} />
      </form>
    </Section>
  );
}
