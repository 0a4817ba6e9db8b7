// A 400's issues as {path, message}: the server sends `{path: string[], message}` objects, or (older servers)
// strings "url: message" whose field is the text before the first ': '. Field issues go beside their fields
// in an rjsf form (its `extraErrors`); the others are shown above the form.
import type { ErrorSchema } from '@rjsf/utils';
import { ApiRequestError } from '../apiClient.ts';

export type RequestIssue = { path: string[]; message: string };

function toIssue(raw: unknown): RequestIssue | undefined {
  if (typeof raw === 'string') {
    const colon = raw.indexOf(': ');
    if (colon < 0) return { path: [], message: raw };
    const field = raw.slice(0, colon);
    // "url" or "cameras.0.url": a field path; anything with spaces is a sentence, not a path.
    if (/\s/.test(field)) return { path: [], message: raw };
    return { path: field.split('.'), message: raw.slice(colon + 2) };
  }
  if (raw !== null && typeof raw === 'object') {
    const { path, message } = raw as { path?: unknown; message?: unknown };
    if (typeof message !== 'string') return undefined;
    return { path: Array.isArray(path) ? path.map(String) : [], message };
  }
  return undefined;
}

/** The issues of a refused request (none when it was not a 4xx with issues). */
export function issuesOf(error: unknown): RequestIssue[] {
  if (!(error instanceof ApiRequestError)) return [];
  const raw: unknown = (error.body as { issues?: unknown }).issues;
  if (!Array.isArray(raw)) return [];
  return raw.map(toIssue).filter((issue): issue is RequestIssue => issue !== undefined);
}

/** Splits issues into an rjsf ErrorSchema for the form's own fields and the rest (shown as a list). */
export function fieldErrors(
  issues: RequestIssue[],
  fields: ReadonlyArray<string>,
): { extraErrors: ErrorSchema; otherIssues: RequestIssue[] } {
  const extraErrors: Record<string, { __errors: string[] }> = {};
  const otherIssues: RequestIssue[] = [];
  for (const issue of issues) {
    const field = issue.path[0];
    if (issue.path.length === 1 && field !== undefined && fields.includes(field)) {
      (extraErrors[field] ??= { __errors: [] }).__errors.push(issue.message);
    } else otherIssues.push(issue);
  }
  return { extraErrors: extraErrors as ErrorSchema, otherIssues };
}
