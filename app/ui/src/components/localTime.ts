// Times in filter forms: the URL keeps ISO times (UTC); datetime-local inputs show and take local time.

/** An ISO time (the query's form, or epoch ms as digits) as a datetime-local input's value, in local time. */
export function toLocalInput(iso: string): string {
  const ms = /^\d+$/.test(iso) ? Number(iso) : Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  const date = new Date(ms);
  return new Date(ms - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
}

/** A datetime-local input's value as an ISO time ('' stays ''). */
export function fromLocalInput(value: string): string {
  return value === '' ? '' : new Date(value).toISOString();
}
