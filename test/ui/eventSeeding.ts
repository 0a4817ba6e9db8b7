// How the Events browser test puts events where the page reads them (the appliance's events store: GET
// /api/events, the pictures) and sends the live feed's `event` messages, as the tracker's changes do.
import type { Appliance } from '../../src/appliance.ts';
import type { EventItem } from '../../src/server/api.ts';

export type SeededEvent = Omit<EventItem, 'hasSnapshot'>;
/** Raw RGB, 3 bytes a pixel. */
export type RgbFrame = { width: number; height: number; data: Uint8Array };

/** Stores `event`, and its pictures (best frame with the box, thumbnail) drawn from `frame` when given. */
export function seedEvent(appliance: Appliance, event: SeededEvent, frame?: RgbFrame): void {
  const store = appliance.eventStore;
  if (!store.upsert(event)) throw new Error(`the event store refused event ${event.id}`);
  if (
    frame &&
    !store.saveSnapshot(event.id, frame, event.bestBox, { frameScale: frame.width / event.sourceWidth, quality: 80 })
  )
    throw new Error(`the event store did not save the pictures of event ${event.id}`);
}

/** Sends `event` on the live feed as the tracker does (store it first with `seedEvent`). */
export function announceEvent(appliance: Appliance, eventType: 'new' | 'update' | 'end', event: EventItem): void {
  appliance.liveFeed.broadcast({ type: 'event', topic: `ppipe/events/${event.camera}`, eventType, event });
}
