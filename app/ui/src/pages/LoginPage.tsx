// Log-in: the first-run form (the one-time setup code printed in the appliance's log, the admin password twice)
// while no password is set, else the password form. On success: the Live page.
import { useEffect, useState } from 'react';
import { api, errorText } from '../apiClient.ts';
import { announceAuthChange, useAuthStatus } from '../components/authStatus.ts';
import { navigate } from '../router.ts';

function PasswordField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  autoComplete: string;
  autoFocus?: boolean;
}): React.JSX.Element {
  return (
    <label>
      {props.label}
      <input
        type="password"
        required
        value={props.value}
        autoComplete={props.autoComplete}
        autoFocus={props.autoFocus}
        onChange={(event) => props.onChange(event.target.value)}
      />
    </label>
  );
}

/** One POST to an /api/auth route: busy while it runs, its error shown, `onDone` after success. */
function useAuthPost(route: string, onDone: () => void) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const post = async (body: unknown): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await api(route, { method: 'POST', body });
      onDone();
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };
  return { error, setError, busy, post };
}

function SetupForm({ onDone }: { onDone: () => void }): React.JSX.Element {
  const [setupCode, setSetupCode] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const { error, setError, busy, post } = useAuthPost('/api/auth/setup', onDone);
  const submit = async (): Promise<void> => {
    if (password !== repeat) {
      setError('The two passwords differ.');
      return;
    }
    await post({ setupCode, password, repeat });
  };
  return (
    <form
      className="login-form"
      aria-labelledby="login-title"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <h1 id="login-title">Set the admin password</h1>
      <p className="muted">
        First run: enter the one-time setup code that the appliance printed in its log, and choose the password.
      </p>
      <label>
        Setup code
        <input
          type="text"
          required
          autoFocus
          autoComplete="one-time-code"
          value={setupCode}
          onChange={(event) => setSetupCode(event.target.value)}
        />
      </label>
      <PasswordField label="New password" value={password} onChange={setPassword} autoComplete="new-password" />
      <PasswordField label="New password again" value={repeat} onChange={setRepeat} autoComplete="new-password" />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        Set password and log in
      </button>
    </form>
  );
}

function PasswordForm({ onDone }: { onDone: () => void }): React.JSX.Element {
  const [password, setPassword] = useState('');
  const { error, busy, post } = useAuthPost('/api/auth/login', onDone);
  const submit = (): Promise<void> => post({ password });
  return (
    <form
      className="login-form"
      aria-labelledby="login-title"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <h1 id="login-title">Log in</h1>
      <PasswordField
        label="Password"
        value={password}
        onChange={setPassword}
        autoComplete="current-password"
        autoFocus
      />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        Log in
      </button>
    </form>
  );
}

export function LoginPage(): React.JSX.Element {
  const { status, error } = useAuthStatus();
  const done = (): void => {
    announceAuthChange();
    navigate('/live');
  };
  const nothingToDo = status !== null && (status.auth === 'off' || status.authenticated);
  useEffect(() => {
    if (nothingToDo) navigate('/live');
  }, [nothingToDo]);
  return (
    <main id="main" className="login-page">
      <div className="panel login-panel">
        <p className="brand">PPipe appliance</p>
        {error ? (
          <p role="alert" className="error">
            The appliance could not be reached: {error}
          </p>
        ) : status === null || nothingToDo ? (
          <p role="status">Checking the log-in…</p>
        ) : status.setupRequired ? (
          <SetupForm onDone={done} />
        ) : (
          <PasswordForm onDone={done} />
        )}
      </div>
    </main>
  );
}
