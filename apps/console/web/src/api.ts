import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { ApiError, Job, SessionInfo } from '../../src/console-api';

/** A non-2xx answer of the console's API, with the server's message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const errorText = (error: unknown): string =>
  error instanceof Error ? error.message : typeof error === 'string' ? error : 'unexpected error';

let csrfToken: string | null = null;
let unauthorized: () => void = () => undefined;

/** The session's CSRF token, sent as `X-CSRF-Token` on every request that is not a GET. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** What to do when any answer is 401 (the session is gone): the app goes to /login. */
export function onUnauthorized(handler: () => void): void {
  unauthorized = handler;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  /** A 401 is this request's own answer (signing in, reading the session), not a lost session. */
  quiet401?: boolean;
  signal?: AbortSignal;
}

async function messageOf(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as Partial<ApiError> & { message?: unknown };
    if (typeof body.message === 'string' && body.message !== '') return body.message;
    if (Array.isArray(body.message)) return body.message.map(String).join('; ');
  } catch {
    // not JSON: the text itself, if any
  }
  const plain = text.trim();
  if (plain !== '' && plain.length < 300 && !plain.startsWith('<')) return plain;
  return `${response.status} ${response.statusText || 'error'}`.trim();
}

/** A JSON request to the console's API with the session cookie (and the CSRF token unless GET). */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    if (csrfToken !== null) headers['X-CSRF-Token'] = csrfToken;
  }
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  });
  if (!response.ok) {
    const message = await messageOf(response);
    if (response.status === 401 && !options.quiet401) unauthorized();
    throw new HttpError(response.status, message);
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

export const post = <T>(path: string, body: unknown): Promise<T> => api<T>(path, { method: 'POST', body });

// ---- the session -------------------------------------------------------------------------------

export interface SessionState {
  session: SessionInfo;
  signOut: () => Promise<void>;
}

export const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside a signed-in page');
  return state;
}

/** Operators may redrive, replay, resync and reveal; viewers only read. */
export const useIsOperator = (): boolean => useSession().session.role === 'operator';

// ---- reading -----------------------------------------------------------------------------------

export interface Loaded<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/**
 * GETs `path` (nothing when null) and again whenever it changes, on reload(), and every `refreshMs`
 * when given. Data of an earlier path is never shown for a new one; a failed refresh keeps the data.
 */
export function useApi<T>(path: string | null, refreshMs?: number): Loaded<T> {
  const [state, setState] = useState<{
    path: string | null;
    data?: T;
    error: string | null;
    loading: boolean;
  }>({
    path: null,
    error: null,
    loading: path !== null,
  });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);

  useEffect(() => {
    if (path === null) {
      setState({ path: null, error: null, loading: false });
      return;
    }
    const abort = new AbortController();
    setState((s) => (s.path === path ? { ...s, loading: true } : { path, error: null, loading: true }));
    api<T>(path, { signal: abort.signal }).then(
      (data) => {
        if (!abort.signal.aborted) setState({ path, data, error: null, loading: false });
      },
      (error: unknown) => {
        if (!abort.signal.aborted) setState((s) => ({ ...s, path, error: errorText(error), loading: false }));
      },
    );
    return () => abort.abort();
  }, [path, tick]);

  useEffect(() => {
    if (!refreshMs || path === null) return;
    const timer = window.setInterval(reload, refreshMs);
    return () => window.clearInterval(timer);
  }, [refreshMs, path, reload]);

  const current = state.path === path;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : null,
    loading: current ? state.loading : path !== null,
    reload,
  };
}

// ---- jobs --------------------------------------------------------------------------------------

export interface JobTracker {
  job: Job | null;
  /** Why the job could not be started or read. */
  error: string | null;
  /** The request that starts a job is on its way. */
  starting: boolean;
  /** Starts a job (the POST answers it at once) and follows it; resolves to the job, or null. */
  start: (request: () => Promise<Job>) => Promise<Job | null>;
  /** Follows an existing job. */
  open: (id: string) => Promise<void>;
  clear: () => void;
}

export const jobPath = (id: string): string => `/api/jobs/${encodeURIComponent(id)}`;

/** A job followed by polling GET /api/jobs/:id every second until it is done or failed. */
export function useJob(onFinished?: (job: Job) => void): JobTracker {
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const generation = useRef(0);
  const timer = useRef<number | undefined>(undefined);
  const finished = useRef(onFinished);
  useEffect(() => {
    finished.current = onFinished;
  });

  const stop = useCallback(() => {
    generation.current += 1;
    window.clearTimeout(timer.current);
  }, []);
  useEffect(() => stop, [stop]);

  const follow = useCallback(
    (first: Job) => {
      stop();
      const mine = generation.current;
      setJob(first);
      setError(null);
      const next = (current: Job) => {
        if (current.state !== 'running') {
          finished.current?.(current);
          return;
        }
        timer.current = window.setTimeout(() => {
          api<Job>(jobPath(current.id)).then(
            (polled) => {
              if (mine !== generation.current) return;
              setJob(polled);
              setError(null);
              next(polled);
            },
            (failure: unknown) => {
              if (mine !== generation.current) return;
              setError(errorText(failure));
              // a lost session or a job that is gone ends the polling; anything else is tried again
              if (!(failure instanceof HttpError && (failure.status === 401 || failure.status === 404)))
                next(current);
            },
          );
        }, 1000);
      };
      next(first);
    },
    [stop],
  );

  const start = useCallback(
    async (request: () => Promise<Job>) => {
      stop();
      setJob(null);
      setError(null);
      setStarting(true);
      try {
        const started = await request();
        follow(started);
        return started;
      } catch (failure) {
        setError(errorText(failure));
        return null;
      } finally {
        setStarting(false);
      }
    },
    [follow, stop],
  );

  const open = useCallback(
    async (id: string) => {
      stop();
      const mine = generation.current;
      setError(null);
      try {
        const found = await api<Job>(jobPath(id));
        if (mine === generation.current) follow(found);
      } catch (failure) {
        if (mine === generation.current) setError(errorText(failure));
      }
    },
    [follow, stop],
  );

  const clear = useCallback(() => {
    stop();
    setJob(null);
    setError(null);
  }, [stop]);

  return { job, error, starting, start, open, clear };
}
