/** How the server answers: JSON bodies with their length, and field issues as 400 bodies carry them. */
import type { ServerResponse } from 'node:http';
import type { IssueLike } from '../config/index.ts';
import type { RequestIssue } from './api.ts';

/** Issues with their paths as strings (array indexes as their digits), the way the UI finds a form's field. */
export function requestIssues(issues: ReadonlyArray<IssueLike>): RequestIssue[] {
  return issues.map((issue) => ({ path: issue.path.map(String), message: issue.message }));
}

export function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
