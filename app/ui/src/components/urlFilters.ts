// A list page's filters live in the URL's query, one text field each ('' when absent), so that a filtered view
// can be bookmarked, shared and restored by Back.

export type UrlFilters<Field extends string> = Record<Field, string>;

export function filtersFromQuery<Field extends string>(
  fields: readonly Field[],
  query: URLSearchParams,
): UrlFilters<Field> {
  return Object.fromEntries(fields.map((field) => [field, query.get(field) ?? ''])) as UrlFilters<Field>;
}

/** The query of the filters that are set, in `fields` order (so that equal filters give equal text). */
export function queryOfFilters<Field extends string>(
  fields: readonly Field[],
  filters: UrlFilters<Field>,
): URLSearchParams {
  const query = new URLSearchParams();
  for (const field of fields) if (filters[field] !== '') query.set(field, filters[field]);
  return query;
}
