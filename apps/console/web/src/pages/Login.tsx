import { useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import type { LoginRequest, SessionInfo } from '../../../src/console-api';
import { api, errorText } from '../api';

/** Where to go after signing in: the page the user came from (a path of this app), else the overview. */
function returnPath(state: unknown): string {
  const from = (state as { from?: unknown } | null)?.from;
  if (typeof from !== 'string' || !from.startsWith('/') || from.startsWith('//') || from.startsWith('/login'))
    return '/';
  return from;
}

export function LoginPage({
  signedIn,
  onSignedIn,
}: {
  signedIn: boolean;
  onSignedIn: (session: SessionInfo) => void;
}) {
  const location = useLocation();
  const navigate = useNavigate();
  const target = returnPath(location.state);
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (signedIn) return <Navigate to={target} replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: LoginRequest = { user: user.trim(), password };
      const session = await api<SessionInfo>('/api/session', { method: 'POST', body, quiet401: true });
      onSignedIn(session);
      void navigate(target, { replace: true });
    } catch (failure) {
      setError(errorText(failure));
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form className="card login-card" onSubmit={(event) => void submit(event)}>
        <h1>erpsync console</h1>
        <p className="muted">Sign in to watch and repair the WDT → Xingchen sync.</p>
        <label>
          User
          <input
            data-testid="login-user"
            name="user"
            autoComplete="username"
            autoFocus
            value={user}
            onChange={(event) => setUser(event.target.value)}
          />
        </label>
        <label>
          Password
          <input
            data-testid="login-password"
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        {error ? (
          <div className="error-banner" data-testid="login-error" role="alert">
            {error}
          </div>
        ) : null}
        <button type="submit" className="primary" data-testid="login-submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
