// The page's live feed as a React hook: one WebSocket per page (opened on mount, closed on unmount), the
// messages delivered to the page's handler, and the connection's state for a status line. `opens` counts
// the connections made, so that a page can refetch its HTTP state after each (nothing missed in between).
import { useEffect, useRef, useState } from 'react';
import type { LiveMessage } from '../../../../src/server/api.ts';
import { type ConnectionState, type FrameWish, LiveConnection, type OpenSocket } from './liveConnection.ts';

export type LiveFeedState = { state: ConnectionState; retryInMs: number | null; opens: number };

const openBrowserSocket: OpenSocket = (url, handlers) => {
  const socket = new WebSocket(url);
  socket.addEventListener('open', handlers.onOpen);
  socket.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (typeof event.data === 'string') handlers.onMessage(event.data);
  });
  socket.addEventListener('close', handlers.onClose);
  return { send: (text) => socket.send(text), close: () => socket.close() };
};

function liveUrl(): string {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${window.location.host}/api/live`;
}

export function useLiveFeed(wish: FrameWish, onMessage: (message: LiveMessage) => void): LiveFeedState {
  const [feed, setFeed] = useState<LiveFeedState>({ state: 'connecting', retryInMs: null, opens: 0 });
  const connection = useRef<LiveConnection | null>(null);
  const handler = useRef(onMessage);
  handler.current = onMessage;
  const currentWish = useRef(wish);
  currentWish.current = wish;

  useEffect(() => {
    const live = new LiveConnection(liveUrl(), openBrowserSocket, (event) => {
      switch (event.kind) {
        case 'message':
          handler.current(event.message);
          return;
        case 'state':
          setFeed((before) => ({
            state: event.state,
            retryInMs: event.retryInMs,
            opens: before.opens + (event.state === 'open' ? 1 : 0),
          }));
          return;
        case 'invalid':
          console.warn(event.reason);
          return;
      }
    });
    connection.current = live;
    live.subscribe(currentWish.current);
    live.start();
    return () => {
      connection.current = null;
      live.stop();
    };
  }, []);

  useEffect(() => {
    connection.current?.subscribe({ grid: wish.grid, fullSize: wish.fullSize });
  }, [wish.grid, wish.fullSize]);

  return feed;
}

/** Whether the page's tab is shown: frames are asked for only while someone can see them. */
export function useDocumentVisible(): boolean {
  const [visible, setVisible] = useState(() => document.visibilityState === 'visible');
  useEffect(() => {
    const update = (): void => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', update);
    return () => document.removeEventListener('visibilitychange', update);
  }, []);
  return visible;
}
