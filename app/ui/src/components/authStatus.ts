// Whether log-in is on and this browser is logged in (GET /api/auth/status), shared by the log-in page and the
// top bar's log-out button; refreshed after a log-in or log-out.
import { useEffect, useState } from 'react';
import type { AuthStatusResponse } from '../../../../src/server/api.ts';
import { api } from '../apiClient.ts';

const AUTH_CHANGED = 'ppipe:auth-changed';

export function announceAuthChange(): void {
  window.dispatchEvent(new Event(AUTH_CHANGED));
}

/** The status, null while loading; `error` when the appliance could not be asked. */
export function useAuthStatus(): { status: AuthStatusResponse | null; error: string | null } {
  const [state, setState] = useState<{ status: AuthStatusResponse | null; error: string | null }>({
    status: null,
    error: null,
  });
  useEffect(() => {
    let current = true;
    const load = (): void => {
      api<AuthStatusResponse>('/api/auth/status').then(
        (status) => current && setState({ status, error: null }),
        (error: unknown) => current && setState({ status: null, error: String(error) }),
      );
    };
    load();
    window.addEventListener(AUTH_CHANGED, load);
    return () => {
      current = false;
      window.removeEventListener(AUTH_CHANGED, load);
    };
  }, []);
  return state;
}
