// A one-line status of the page's live feed: connected, connecting, or when it tries again.
import type { LiveFeedState } from '../live/useLiveFeed.ts';

export function LiveStatus({ feed }: { feed: LiveFeedState }): React.JSX.Element {
  const text =
    feed.state === 'open'
      ? 'Live'
      : feed.state === 'connecting'
        ? 'Connecting to the live feed…'
        : `Live feed lost; reconnecting in ${Math.ceil((feed.retryInMs ?? 0) / 1000)} s`;
  return (
    <p className={`live-status live-status-${feed.state}`} role="status">
      {text}
    </p>
  );
}
