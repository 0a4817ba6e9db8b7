// The Events page's list kept current by the live feed: an `event` message replaces the event it names, or
// adds it in its place (newest start first) when it matches the page's filters. An event older than the last
// one shown is left for "Load more" when there are more pages, so that the list never has holes.
import type { EventItem, LiveMessage } from '../../../../src/server/api.ts';

export const EVENT_FILTER_FIELDS = ['camera', 'label', 'zone', 'from', 'to'] as const;
export type EventFilterField = (typeof EVENT_FILTER_FIELDS)[number];
/** As in the URL's query: '' is "any"; from and to are ISO times (or epoch ms as digits). */
export type EventFilters = Record<EventFilterField, string>;

export type EventList = { items: EventItem[]; nextBefore: number | null; total: number };

export type LiveEventMessage = Extract<LiveMessage, { type: 'event' }>;

function timeOf(text: string): number | null {
  if (text === '') return null;
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

/** Whether the server would list `event` under these filters (zone: entered at some point). */
export function matchesFilters(event: EventItem, filters: EventFilters): boolean {
  if (filters.camera !== '' && event.camera !== filters.camera) return false;
  if (filters.label !== '' && event.label !== filters.label) return false;
  if (filters.zone !== '' && !event.enteredZones.includes(filters.zone)) return false;
  const from = timeOf(filters.from);
  const to = timeOf(filters.to);
  if (from !== null && event.startTime < from) return false;
  if (to !== null && event.startTime > to) return false;
  return true;
}

/** The list after a live `event` message (the same list when it changes nothing). */
export function applyEventMessage(list: EventList, message: LiveEventMessage, filters: EventFilters): EventList {
  const { event } = message;
  const index = list.items.findIndex((item) => item.id === event.id);
  if (index >= 0) {
    const items = [...list.items];
    items[index] = event;
    return { ...list, items };
  }
  if (!matchesFilters(event, filters)) return list;
  // Newest first; among equal start times the later arrival goes first.
  const at = list.items.findIndex((item) => item.startTime <= event.startTime);
  const position = at < 0 ? list.items.length : at;
  if (position === list.items.length && list.nextBefore !== null) return list;
  const items = [...list.items.slice(0, position), event, ...list.items.slice(position)];
  return { ...list, items, total: list.total + 1 };
}

/** "12 s", "4 min 05 s", "2 h 03 min": how long an event lasted (or has lasted so far). */
export function durationText(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** "14:02:03 – 14:05:10", the end's date only when it differs from the start's; "in view" while it lasts. */
export function eventTimesText(event: EventItem): string {
  const start = new Date(event.startTime);
  if (event.endTime === null) return `${start.toLocaleString()} – in view`;
  const end = new Date(event.endTime);
  const sameDay = start.toDateString() === end.toDateString();
  return `${start.toLocaleString()} – ${sameDay ? end.toLocaleTimeString() : end.toLocaleString()}`;
}

/** The path's points as an SVG polyline's `points` (source pixels, as the snapshot's viewBox). */
export function pathPoints(path: EventItem['path']): string {
  return path.map((point) => `${Math.round(point.x * 10) / 10},${Math.round(point.y * 10) / 10}`).join(' ');
}
