import { useSearchParams } from 'react-router';
import type { AuditEntry, Page } from '../../../src/console-api';
import { useApi } from '../api';
import { Badge, Empty, ErrorBanner, Loading, Pager, Time } from '../components';
import { query, shortJson } from '../format';

const PAGE_SIZE = 50;

export function AuditPage() {
  const [params, setParams] = useSearchParams();
  const pageParam = Number(params.get('page') ?? '1');
  const page = Number.isInteger(pageParam) && pageParam >= 1 ? pageParam : 1;
  const { data, error, loading } = useApi<Page<AuditEntry>>(
    `/api/audit?${query({ page, pageSize: PAGE_SIZE })}`,
  );

  return (
    <>
      <div className="page-head">
        <h1>Audit</h1>
      </div>
      <ErrorBanner error={error} />
      {!data ? (
        loading ? (
          <Loading what="the audit trail" />
        ) : null
      ) : (
        <>
          <Pager
            page={data.page}
            pageSize={data.pageSize}
            total={data.total}
            noun="entries"
            onPage={(target) => setParams({ page: String(target) })}
          />
          {data.rows.length === 0 ? (
            <Empty>nothing audited yet</Empty>
          ) : (
            <table className="grid">
              <thead>
                <tr>
                  <th>time</th>
                  <th>actor</th>
                  <th>role</th>
                  <th>action</th>
                  <th>target</th>
                  <th>result</th>
                  <th>detail</th>
                </tr>
              </thead>
              <tbody>
                {data.rows.map((entry) => (
                  <tr key={entry.id} data-testid="audit-row">
                    <td>
                      <Time iso={entry.at} />
                    </td>
                    <td>{entry.actor}</td>
                    <td>{entry.role}</td>
                    <td>
                      <code>{entry.action}</code>
                    </td>
                    <td className="small" title={JSON.stringify(entry.target)}>
                      <code>{shortJson(entry.target)}</code>
                    </td>
                    <td>
                      <Badge value={entry.result} />
                    </td>
                    <td className="small">{entry.detail ?? ''}</td>
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
