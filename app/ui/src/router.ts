// A small history router: each page has its own URL (/cameras, /live/front-door …); links and back/forward
// change the page without a reload. The appliance answers every page URL with index.html.
import { useEffect, useState } from 'react';

const listeners = new Set<() => void>();

export function navigate(to: string): void {
  if (to === window.location.pathname + window.location.search) return;
  window.history.pushState(null, '', to);
  for (const listener of listeners) listener();
}

/** The current path and query, updated on navigation. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const read = (): string => window.location.pathname + window.location.search;
  const [href, setHref] = useState(read);
  useEffect(() => {
    const update = (): void => setHref(read());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  const url = new URL(href, window.location.origin);
  return { path: url.pathname, query: url.searchParams };
}

/** Replaces the query of the current URL (filters that should survive a reload), without a history entry. */
export function replaceQuery(query: URLSearchParams): void {
  const search = query.toString();
  window.history.replaceState(null, '', window.location.pathname + (search ? `?${search}` : ''));
  for (const listener of listeners) listener();
}

/** A link that navigates in place (a plain click) and keeps the browser's own behaviour otherwise. */
export function onLinkClick(event: React.MouseEvent<HTMLAnchorElement>): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(event.currentTarget.getAttribute('href') ?? '/');
}
