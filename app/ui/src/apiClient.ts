// Calls to the appliance's HTTP API with its own wire types. A 4xx/5xx becomes an ApiRequestError that
// carries the server's message and, for a bad body, its issues by field.
import type { ErrorResponse } from '../../../src/server/api.ts';

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorResponse,
  ) {
    super(body.error);
  }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    credentials: 'same-origin',
  });
  if (response.status === 401 && window.location.pathname !== '/login') {
    window.location.assign('/login');
    throw new ApiRequestError(401, { error: 'log-in required' });
  }
  if (response.status === 204) return undefined as T;
  const payload: unknown = await response.json().catch(() => ({ error: `${response.status} ${response.statusText}` }));
  if (!response.ok) throw new ApiRequestError(response.status, payload as ErrorResponse);
  return payload as T;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
