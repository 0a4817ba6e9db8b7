// The top bar's log-out button: shown only when log-in is on and this browser is logged in.
import { useState } from 'react';
import { api, errorText } from '../apiClient.ts';
import { useAuthStatus } from './authStatus.ts';

export function LogoutButton(): React.JSX.Element | null {
  const { status } = useAuthStatus();
  const [error, setError] = useState<string | null>(null);
  if (status?.auth !== 'required' || !status.authenticated) return null;
  const logOut = async (): Promise<void> => {
    try {
      await api('/api/auth/logout', { method: 'POST' });
      // A full load: nothing of the session's pages stays in memory.
      window.location.assign('/login');
    } catch (failure) {
      setError(errorText(failure));
    }
  };
  return (
    <div className="logout">
      {error && (
        <span role="alert" className="logout-error">
          Log-out failed: {error}
        </span>
      )}
      <button type="button" onClick={() => void logOut()}>
        Log out
      </button>
    </div>
  );
}
