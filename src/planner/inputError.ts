/**
 * The one error type for bad input files and documents: it names the file, where in it (line or field)
 * and what was expected, so that a user can fix the input without reading our code.
 */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly where: string | undefined,
    readonly expected: string,
  ) {
    super(`${file}${where ? ` (${where})` : ''}: ${expected}`);
    this.name = 'InputError';
  }
}

/** Turns a zod issue path into a readable field path such as `gpus[1].count`. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

/** One message per zod issue, so that all problems of a document are reported at once. */
export function describeIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string {
  return issues.map((issue) => `${fieldPath(issue.path)}: ${issue.message}`).join('; ');
}
