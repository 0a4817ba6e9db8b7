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
