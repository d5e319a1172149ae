import { useEffect, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import type {
  DeadLetter,
  DeadLetterQueue,
  DeadLetterQueues,
  DeadLetterRecord,
  Job,
  Page,
  RedriveRequest,
} from '../../../src/console-api';
import { post, useApi, useIsOperator, useJob } from '../api';
import { Badge, Empty, ErrorBanner, Json, Loading, Pager, Section, Time, TrackedJob } from '../components';
import { query } from '../format';

const PAGE_SIZE = 50;

const recordLink = (source: string, partition: number, offset: string): string =>
  `/dead-letters/${encodeURIComponent(source)}/${partition}/${encodeURIComponent(offset)}`;

const redrivePath = (source: string): string => `/api/dead-letters/${encodeURIComponent(source)}/redrive`;

const rowKey = (row: { partition: number; offset: string }): string => `${row.partition}:${row.offset}`;

const unique = (values: string[]): string[] => [...new Set(values)].sort();

export function DeadLettersPage() {
  const operator = useIsOperator();
  const [params, setParams] = useSearchParams();
  const source = params.get('source') ?? '';
  const reason = params.get('reason') ?? '';
  const errorClass = params.get('errorClass') ?? '';
  const pageParam = Number(params.get('page') ?? '1');
  const page = Number.isInteger(pageParam) && pageParam >= 1 ? pageParam : 1;

  const summary = useApi<DeadLetterQueues>('/api/dead-letters');
  const list = useApi<Page<DeadLetter>>(
    source
      ? `/api/dead-letters/${encodeURIComponent(source)}?${query({ reason, errorClass, page, pageSize: PAGE_SIZE })}`
      : null,
  );
  const [selected, setSelected] = useState<Set<string>>(new Set());
  useEffect(() => setSelected(new Set()), [source, reason, errorClass, page]);

  const job = useJob(() => {
    setSelected(new Set());
    list.reload();
    summary.reload();
  });
  useEffect(() => job.clear(), [source, job.clear]);

  const choose = (values: { source: string; reason?: string; errorClass?: string }) =>
    setParams(query(values));
  const filter = (key: 'reason' | 'errorClass', value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    next.delete('page');
    setParams(next);
  };
  const goTo = (target: number) => {
    const next = new URLSearchParams(params);
    next.set('page', String(target));
    setParams(next);
  };

  const queue: DeadLetterQueue | undefined = summary.data?.queues.find((q) => q.source === source);
  const reasons = unique([...(queue?.byReason.map((r) => r.reason) ?? []), ...(reason ? [reason] : [])]);
  const classes = unique([
    ...(queue?.byReason.filter((r) => !reason || r.reason === reason).map((r) => r.errorClass) ?? []),
    ...(errorClass ? [errorClass] : []),
  ]);

  const rows = list.data?.rows ?? [];
  const allChecked = rows.length > 0 && rows.every((row) => selected.has(rowKey(row)));
  const redrive = (request: RedriveRequest) => void job.start(() => post<Job>(redrivePath(source), request));
  const running = job.starting || job.job?.state === 'running';

  return (
    <>
      <div className="page-head">
        <h1>Dead letters</h1>
      </div>
      <ErrorBanner error={summary.error} />
      {!summary.data ? (
        summary.loading ? (
          <Loading what="the queues" />
        ) : null
      ) : summary.data.queues.length === 0 ? (
        <Empty>no dead-letter queues</Empty>
      ) : (
        <div className="queues">
          {summary.data.queues.map((q) => (
            <div key={q.source} className={`card queue${q.source === source ? ' selected' : ''}`}>
              <button
                type="button"
                className="queue-head"
                data-testid={`dlq-source-${q.source}`}
                aria-pressed={q.source === source}
                onClick={() => choose({ source: q.source })}
              >
                <strong>{q.source}</strong> <span className="count">{String(q.total)}</span>
                <span className="muted small">{q.topic}</span>
              </button>
              {q.byReason.length === 0 ? (
                <Empty>no dead letters</Empty>
              ) : (
                <table className="grid compact">
                  <tbody>
                    {q.byReason.map((r) => (
                      <tr key={`${r.reason}|${r.errorClass}`}>
                        <td>
                          <Link
                            to={`/dead-letters?${query({ source: q.source, reason: r.reason, errorClass: r.errorClass })}`}
                          >
                            {r.reason}
                          </Link>
                        </td>
                        <td className="small">{r.errorClass}</td>
                        <td className="num">{String(r.count)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </div>
          ))}
        </div>
      )}

      {!source ? (
        <p className="muted">Choose a queue to list its dead letters.</p>
      ) : (
        <Section title={`${source} records`}>
          <div className="filters">
            <label>
              reason
              <select value={reason} onChange={(event) => filter('reason', event.target.value)}>
                <option value="">any</option>
                {reasons.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            </label>
            <label>
              error class
              <select value={errorClass} onChange={(event) => filter('errorClass', event.target.value)}>
                <option value="">any</option>
                {classes.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </label>
            {operator ? (
              <div className="actions">
                <button
                  type="button"
                  data-testid="dlq-redrive-selected"
                  disabled={selected.size === 0 || running}
                  onClick={() =>
                    redrive({
                      kind: 'records',
                      records: rows
                        .filter((row) => selected.has(rowKey(row)))
                        .map((row) => ({ partition: row.partition, offset: row.offset })),
                    })
                  }
                >
                  Redrive selected ({selected.size})
                </button>
                {reason ? (
                  <button
                    type="button"
                    data-testid="dlq-redrive-reason"
                    disabled={running}
                    title={errorClass ? 'every record of this reason, whatever its error class' : undefined}
                    onClick={() => redrive({ kind: 'reason', reason })}
                  >
                    Redrive all of reason “{reason}”
                  </button>
                ) : null}
                <button
                  type="button"
                  className="danger"
                  data-testid="dlq-redrive-all"
                  disabled={running}
                  onClick={() => {
                    const total = queue?.total;
                    if (
                      window.confirm(
                        `Redrive every dead letter of ${source}${total === undefined ? '' : ` (${total})`}?`,
                      )
                    )
                      redrive({ kind: 'all' });
                  }}
                >
                  Redrive all
                </button>
              </div>
            ) : null}
          </div>
          <TrackedJob job={job.job} error={job.error} />
          <ErrorBanner error={list.error} />
          {!list.data ? (
            list.loading ? (
              <Loading what="dead letters" />
            ) : null
          ) : (
            <>
              <Pager
                page={list.data.page}
                pageSize={list.data.pageSize}
                total={list.data.total}
                noun="dead letters"
                onPage={goTo}
              />
              {rows.length === 0 ? (
                <Empty>no dead letters</Empty>
              ) : (
                <table className="grid">
                  <thead>
                    <tr>
                      <th>
                        <input
                          type="checkbox"
                          aria-label="select every row of this page"
                          checked={allChecked}
                          onChange={() => setSelected(allChecked ? new Set() : new Set(rows.map(rowKey)))}
                        />
                      </th>
                      <th>key</th>
                      <th>reason</th>
                      <th>error class</th>
                      <th>message</th>
                      <th>failed at</th>
                      <th>partition / offset</th>
                      <th>redriven</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((row) => {
                      const key = rowKey(row);
                      return (
                        <tr key={key} data-testid="dlq-row">
                          <td>
                            <input
                              type="checkbox"
                              data-testid="dlq-select"
                              aria-label={`select ${row.key ?? key}`}
                              checked={selected.has(key)}
                              onChange={() =>
                                setSelected((previous) => {
                                  const next = new Set(previous);
                                  if (!next.delete(key)) next.add(key);
                                  return next;
                                })
                              }
                            />
                          </td>
                          <td>
                            <Link to={recordLink(row.source, row.partition, row.offset)}>
                              {row.key ?? <span className="muted">(no key)</span>}
                            </Link>
                          </td>
                          <td>{row.reason}</td>
                          <td className="small">
                            {row.errorClass}
                            {row.detail ? <div className="muted">{row.detail}</div> : null}
                          </td>
                          <td className="small message">{row.message}</td>
                          <td>
                            <Time iso={row.failedAt ?? row.timestamp} />
                          </td>
                          <td>
                            <Link to={recordLink(row.source, row.partition, row.offset)}>
                              {row.partition} / {row.offset}
                            </Link>
                          </td>
                          <td>
                            {row.redrivenAt ? (
                              <Time iso={row.redrivenAt} />
                            ) : (
                              <span className="muted">—</span>
                            )}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              )}
            </>
          )}
        </Section>
      )}
    </>
  );
}

export function DeadLetterPage() {
  const { source = '', partition = '', offset = '' } = useParams();
  const operator = useIsOperator();
  const [params, setParams] = useSearchParams();
  const reveal = params.get('reveal') === 'true';
  const record = useApi<DeadLetterRecord>(
    `/api/dead-letters/${encodeURIComponent(source)}/${encodeURIComponent(partition)}/${encodeURIComponent(offset)}${
      reveal ? '?reveal=true' : ''
    }`,
  );
  const job = useJob(() => record.reload());
  const data = record.data;

  return (
    <>
      <div className="page-head">
        <h1>
          Dead letter <code>{`${source} ${partition}/${offset}`}</code>
        </h1>
        <Link to={`/dead-letters?${query({ source })}`}>← {source || 'dead letters'}</Link>
      </div>
      <ErrorBanner error={record.error} />
      {!data ? (
        record.loading ? (
          <Loading what="the dead letter" />
        ) : null
      ) : (
        <div className="cards">
          <Section
            title="Record"
            aside={
              operator ? (
                <button
                  type="button"
                  className="primary"
                  data-testid="dlq-redrive-one"
                  disabled={job.starting || job.job?.state === 'running'}
                  onClick={() =>
                    void job.start(() =>
                      post<Job>(redrivePath(data.source), {
                        kind: 'records',
                        records: [{ partition: data.partition, offset: data.offset }],
                      } satisfies RedriveRequest),
                    )
                  }
                >
                  Redrive this one
                </button>
              ) : null
            }
          >
            <TrackedJob job={job.job} error={job.error} />
            <table className="kv">
              <tbody>
                <tr>
                  <th scope="row">key</th>
                  <td>{data.key ?? '—'}</td>
                </tr>
                <tr>
                  <th scope="row">topic</th>
                  <td>
                    <code>{data.topic}</code> partition {data.partition} offset {data.offset}
                  </td>
                </tr>
                <tr>
                  <th scope="row">reason</th>
                  <td>
                    <Badge value={data.reason} />
                  </td>
                </tr>
                <tr>
                  <th scope="row">error class</th>
                  <td>
                    {data.errorClass}
                    {data.detail ? <span className="muted"> ({data.detail})</span> : null}
                  </td>
                </tr>
                <tr>
                  <th scope="row">message</th>
                  <td>{data.message}</td>
                </tr>
                <tr>
                  <th scope="row">hop</th>
                  <td>{data.hop}</td>
                </tr>
                <tr>
                  <th scope="row">failed at</th>
                  <td>
                    <Time iso={data.failedAt} />
                  </td>
                </tr>
                <tr>
                  <th scope="row">dead-lettered at</th>
                  <td>
                    <Time iso={data.timestamp} />
                  </td>
                </tr>
                <tr>
                  <th scope="row">redriven</th>
                  <td>
                    <Time iso={data.redrivenAt} />
                  </td>
                </tr>
              </tbody>
            </table>
          </Section>

          <Section title="Headers">
            {Object.keys(data.headers).length === 0 ? (
              <Empty>no headers</Empty>
            ) : (
              <table className="grid">
                <thead>
                  <tr>
                    <th>header</th>
                    <th>value</th>
                  </tr>
                </thead>
                <tbody>
                  {Object.entries(data.headers).map(([name, value]) => (
                    <tr key={name}>
                      <td>
                        <code>{name}</code>
                      </td>
                      <td className="small message">{value}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Section>

          <Section
            wide
            title="Payload"
            aside={
              <span className="masking">
                {data.masked ? <span className="badge badge-grey">masked</span> : <Badge value="revealed" />}
                {operator && data.masked ? (
                  <button type="button" data-testid="reveal" onClick={() => setParams({ reveal: 'true' })}>
                    Reveal
                  </button>
                ) : null}
                {reveal && !data.masked ? (
                  <button type="button" onClick={() => setParams({})}>
                    Mask again
                  </button>
                ) : null}
              </span>
            }
          >
            <Json value={data.payload} testId="dlq-payload" empty="(empty payload)" />
          </Section>
        </div>
      )}
    </>
  );
}
