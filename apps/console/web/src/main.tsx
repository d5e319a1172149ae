import { StrictMode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import {
  BrowserRouter,
  Link,
  Navigate,
  NavLink,
  Route,
  Routes,
  useLocation,
  useNavigate,
} from 'react-router';
import type { SessionInfo } from '../../src/console-api';
import {
  api,
  errorText,
  HttpError,
  onUnauthorized,
  SessionContext,
  setCsrfToken,
  useSession,
  type SessionState,
} from './api';
import { ErrorBanner, Loading } from './components';
import { AuditPage } from './pages/Audit';
import { DeadLetterPage, DeadLettersPage } from './pages/DeadLetters';
import { LoginPage } from './pages/Login';
import { MappingPage } from './pages/Mapping';
import { OrderPage, OrdersPage } from './pages/Orders';
import { OverviewPage } from './pages/Overview';
import { ReconciliationPage } from './pages/Reconciliation';
import { ReplayPage } from './pages/Replay';
import './styles.css';

const NAV: Array<{ to: string; label: string; id: string }> = [
  { to: '/', label: 'Overview', id: 'nav-overview' },
  { to: '/orders', label: 'Orders', id: 'nav-orders' },
  { to: '/dead-letters', label: 'Dead letters', id: 'nav-dead-letters' },
  { to: '/replay', label: 'Replay & resync', id: 'nav-replay' },
  { to: '/reconciliation', label: 'Reconciliation', id: 'nav-reconciliation' },
  { to: '/mapping', label: 'Mapping', id: 'nav-mapping' },
  { to: '/audit', label: 'Audit', id: 'nav-audit' },
];

function Layout() {
  return (
    <>
      <TopBar />
      <main className="page">
        <Routes>
          <Route path="/" element={<OverviewPage />} />
          <Route path="/orders" element={<OrdersPage />} />
          <Route path="/orders/:billNo" element={<OrderPage />} />
          <Route path="/dead-letters" element={<DeadLettersPage />} />
          <Route path="/dead-letters/:source/:partition/:offset" element={<DeadLetterPage />} />
          <Route path="/replay" element={<ReplayPage />} />
          <Route path="/reconciliation" element={<ReconciliationPage />} />
          <Route path="/mapping" element={<MappingPage />} />
          <Route path="/audit" element={<AuditPage />} />
          <Route
            path="*"
            element={
              <p>
                No such page. <Link to="/">Back to the overview</Link>
              </p>
            }
          />
        </Routes>
      </main>
    </>
  );
}

function TopBar() {
  const { session, signOut } = useSession();
  return (
    <header className="topbar">
      <Link to="/" className="brand">
        erpsync console
      </Link>
      <nav>
        {NAV.map((item) => (
          <NavLink key={item.to} to={item.to} end={item.to === '/'} data-testid={item.id}>
            {item.label}
          </NavLink>
        ))}
      </nav>
      <span className="who">
        <span data-testid="current-user">
          {session.user} ({session.role})
        </span>
        <button type="button" className="link-button" data-testid="logout" onClick={() => void signOut()}>
          Log out
        </button>
      </span>
    </header>
  );
}

function App() {
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  const [bootError, setBootError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const navigate = useNavigate();
  const location = useLocation();
  const here = useRef(location);
  useEffect(() => {
    here.current = location;
  }, [location]);

  const adopt = useCallback((next: SessionInfo | null) => {
    setCsrfToken(next?.csrfToken ?? null);
    setSession(next);
  }, []);

  // any 401 anywhere: the session is gone, sign in again and come back here
  useEffect(() => {
    onUnauthorized(() => {
      adopt(null);
      const from = here.current;
      if (from.pathname !== '/login')
        void navigate('/login', { replace: true, state: { from: `${from.pathname}${from.search}` } });
    });
  }, [adopt, navigate]);

  useEffect(() => {
    setBootError(null);
    api<SessionInfo>('/api/session', { quiet401: true }).then(adopt, (error: unknown) => {
      if (error instanceof HttpError && error.status === 401) adopt(null);
      else setBootError(errorText(error));
    });
  }, [adopt, attempt]);

  const signOut = useCallback(async () => {
    try {
      await api<void>('/api/session', { method: 'DELETE', quiet401: true });
    } catch {
      // signed out here whatever the server says
    }
    adopt(null);
    void navigate('/login', { replace: true });
  }, [adopt, navigate]);

  const state = useMemo<SessionState | null>(
    () => (session ? { session, signOut } : null),
    [session, signOut],
  );

  if (session === undefined) {
    return bootError ? (
      <main className="page narrow">
        <ErrorBanner error={`The console cannot be reached: ${bootError}`} />
        <button type="button" onClick={() => setAttempt((n) => n + 1)}>
          Try again
        </button>
      </main>
    ) : (
      <main className="page narrow">
        <Loading what="the session" />
      </main>
    );
  }

  return (
    <Routes>
      <Route path="/login" element={<LoginPage signedIn={session !== null} onSignedIn={adopt} />} />
      <Route
        path="*"
        element={
          state ? (
            <SessionContext value={state}>
              <Layout />
            </SessionContext>
          ) : (
            <Navigate to="/login" replace state={{ from: `${location.pathname}${location.search}` }} />
          )
        }
      />
    </Routes>
  );
}

const root = document.getElementById('root');
if (!root) throw new Error('no #root element');
createRoot(root).render(
  <StrictMode>
    <BrowserRouter>
      <App />
    </BrowserRouter>
  </StrictMode>,
);
