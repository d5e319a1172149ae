import { useState, type FormEvent } from 'react';
import type {
  MappingCheck,
  MappingCheckRequest,
  MappingPreview,
  MappingPreviewRequest,
  RecentTrade,
} from '../../../src/console-api';
import { errorText, post, useApi } from '../api';
import { Badge, Empty, ErrorBanner, Json, KeyValues, Section } from '../components';
import { localTime } from '../format';

export function MappingPage() {
  return (
    <>
      <div className="page-head">
        <h1>Mapping</h1>
      </div>
      <p className="note">
        Try the mapping rules on a trade, or check a new mapping file against recent trades.{' '}
        <strong>Nothing is applied</strong>: nothing is sent to Xingchen and the running configuration is not
        changed.
      </p>
      <PreviewSection />
      <CheckSection />
    </>
  );
}

function tradeLabel(trade: RecentTrade): string {
  return [trade.tradeNo ?? '(no trade no)', trade.shopNo, trade.modified ? localTime(trade.modified) : null]
    .filter(Boolean)
    .join(' · ');
}

function PreviewSection() {
  const recent = useApi<RecentTrade[]>('/api/mapping/recent-trades');
  const [picked, setPicked] = useState('');
  const [trade, setTrade] = useState('');
  const [rules, setRules] = useState('');
  const [result, setResult] = useState<MappingPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const pick = (value: string) => {
    setPicked(value);
    const chosen = recent.data?.[Number(value)];
    if (value !== '' && chosen) setTrade(JSON.stringify(chosen.trade, null, 2));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (trade.trim() === '') return setError('paste a WDT trade (JSON) or pick a recent one');
    let parsed: unknown = trade;
    try {
      parsed = JSON.parse(trade);
    } catch {
      // sent as text: the server says what is wrong with it
    }
    const request: MappingPreviewRequest = { trade: parsed, ...(rules.trim() ? { mapping: rules } : {}) };
    setBusy(true);
    try {
      setResult(await post<MappingPreview>('/api/mapping/preview', request));
    } catch (failure) {
      setResult(null);
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="Preview a trade">
      <form className="stack" onSubmit={(event) => void submit(event)}>
        <label>
          Pick a recent trade
          <select data-testid="mapping-recent" value={picked} onChange={(event) => pick(event.target.value)}>
            <option value="">
              {recent.loading && !recent.data
                ? 'loading recent trades…'
                : recent.data && recent.data.length === 0
                  ? 'no recent trades'
                  : '—'}
            </option>
            {(recent.data ?? []).map((t, i) => (
              <option key={`${t.tradeNo ?? ''}-${i}`} value={String(i)}>
                {tradeLabel(t)}
              </option>
            ))}
          </select>
        </label>
        <ErrorBanner error={recent.error} />
        <label>
          WDT trade (JSON)
          <textarea
            className="code"
            rows={14}
            spellCheck={false}
            data-testid="mapping-trade"
            value={trade}
            onChange={(event) => setTrade(event.target.value)}
          />
        </label>
        <label>
          mapping file to try (YAML) — optional, the configured rules otherwise
          <textarea
            className="code"
            rows={6}
            spellCheck={false}
            data-testid="mapping-rules"
            value={rules}
            onChange={(event) => setRules(event.target.value)}
          />
        </label>
        <div>
          <button type="submit" className="primary" data-testid="mapping-preview" disabled={busy}>
            {busy ? 'Previewing…' : 'Preview'}
          </button>
        </div>
      </form>
      <ErrorBanner error={error} />
      {result ? (
        <div className="preview">
          <p>
            outcome <Badge value={result.outcome} testId="mapping-outcome" />
          </p>
          <h3>validation messages</h3>
          <ul data-testid="mapping-messages" className="messages">
            {result.messages.length === 0 ? <li className="muted">no messages</li> : null}
            {result.messages.map((message, i) => (
              <li key={i}>{message}</li>
            ))}
          </ul>
          <div className="bodies">
            <div>
              <h3>normalized order</h3>
              <Json value={result.normalized} testId="mapping-normalized" />
            </div>
            <div>
              <h3>
                Xingchen body <span className="badge badge-grey">{result.family}</span>
              </h3>
              <Json value={result.body} testId="mapping-body" />
            </div>
          </div>
        </div>
      ) : null}
    </Section>
  );
}

function CheckSection() {
  const [text, setText] = useState('');
  const [result, setResult] = useState<MappingCheck | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (text.trim() === '') return setError('paste a mapping file (YAML or JSON)');
    setBusy(true);
    try {
      const request: MappingCheckRequest = { mapping: text };
      setResult(await post<MappingCheck>('/api/mapping/check', request));
    } catch (failure) {
      setResult(null);
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };

  const outcomes = result
    ? [
        ...new Set([
          ...Object.keys(result.trial.outcomes.configured),
          ...Object.keys(result.trial.outcomes.checked),
        ]),
      ]
    : [];

  return (
    <Section title="Check a mapping file (dry run)">
      <form className="stack" onSubmit={(event) => void submit(event)}>
        <p className="muted small">
          Validates the file and maps the recent trades with it and with the configured rules. Nothing is
          applied.
        </p>
        <label>
          mapping file (YAML or JSON)
          <textarea
            className="code"
            rows={12}
            spellCheck={false}
            data-testid="mapping-check-text"
            value={text}
            onChange={(event) => setText(event.target.value)}
          />
        </label>
        <div>
          <button type="submit" className="primary" data-testid="mapping-check" disabled={busy}>
            {busy ? 'Checking…' : 'Check'}
          </button>
        </div>
      </form>
      <ErrorBanner error={error} />
      {result ? (
        <div className="check" data-testid="mapping-check-result">
          <p>
            <Badge value={result.valid ? 'valid' : 'invalid'} /> (dry run: nothing applied)
          </p>
          {result.errors.length > 0 ? (
            <>
              <h3>errors</h3>
              <ul className="messages">
                {result.errors.map((message, i) => (
                  <li key={i}>{message}</li>
                ))}
              </ul>
            </>
          ) : null}
          <h3>summary</h3>
          <KeyValues record={result.summary} empty="no summary" />
          <h3>trial on {result.trial.trades} recent trades</h3>
          {outcomes.length === 0 ? (
            <Empty>no recent trades to try</Empty>
          ) : (
            <table className="grid">
              <thead>
                <tr>
                  <th>outcome</th>
                  <th className="num">configured rules</th>
                  <th className="num">checked file</th>
                </tr>
              </thead>
              <tbody>
                {outcomes.map((outcome) => (
                  <tr key={outcome}>
                    <td>
                      <Badge value={outcome} />
                    </td>
                    <td className="num">{String(result.trial.outcomes.configured[outcome] ?? 0)}</td>
                    <td className="num">{String(result.trial.outcomes.checked[outcome] ?? 0)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h3>trades that map differently ({result.trial.changed.length})</h3>
          {result.trial.changed.length === 0 ? (
            <Empty>no trade maps differently</Empty>
          ) : (
            <table className="grid">
              <thead>
                <tr>
                  <th>trade</th>
                  <th>configured</th>
                  <th>checked</th>
                  <th>messages</th>
                </tr>
              </thead>
              <tbody>
                {result.trial.changed.map((change, i) => (
                  <tr key={`${change.tradeNo ?? ''}-${i}`}>
                    <td>{change.tradeNo ?? '—'}</td>
                    <td>
                      <Badge value={change.configured} />
                    </td>
                    <td>
                      <Badge value={change.checked} />
                    </td>
                    <td className="small">{change.messages.join('; ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      ) : null}
    </Section>
  );
}
