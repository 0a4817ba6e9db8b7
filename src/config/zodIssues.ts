/**
 * The one way to print zod issues: each issue as `field path: message`, the path written the way one would
 * reach it in code (`gpus[1].count`), so that every room names a bad field alike.
 */

/** What a zod issue carries that we print. */
export interface IssueLike {
  readonly path: ReadonlyArray<PropertyKey>;
  readonly message: string;
}

/** Turns a zod issue path into a readable field path such as `gpus[1].count` (`(root)` when empty). */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

/** One line per issue, `field path: message`, so that all problems of a document are reported at once. */
export function formatIssues(issues: ReadonlyArray<IssueLike>): string[] {
  return issues.map((issue) => `${fieldPath(issue.path)}: ${issue.message}`);
}

/** The issues of `formatIssues` on one line, joined by `; `. */
export function describeIssues(issues: ReadonlyArray<IssueLike>): string {
  return formatIssues(issues).join('; ');
}
