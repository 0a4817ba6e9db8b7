// THE ONE PLACE TO ADAPT after the events store (wt-events) and the tracker's wiring are merged: how the Events
// browser test puts events where the page reads them (GET /api/events, the pictures) and sends the live feed's
// `event` messages. Written against the events store's API as built beside this branch (`appliance.eventStore`
// with `upsert(event)` and `saveSnapshot(id, rgbFrame, box, {frameScale, quality})`) and the appliance's live
// feed (`broadcast`). After the merge: replace `EventStoreLike` by the store's own type and reach the live feed
// through whatever the appliance exposes for it (here its private `live` field), then delete this comment.
import type { Appliance } from '../../src/appliance.ts';
import type { EventItem, LiveMessage } from '../../src/server/api.ts';

export type SeededEvent = Omit<EventItem, 'hasSnapshot'>;
/** Raw RGB, 3 bytes a pixel. */
export type RgbFrame = { width: number; height: number; data: Uint8Array };

type EventStoreLike = {
  upsert(event: SeededEvent): boolean;
  saveSnapshot(
    id: string,
    frame: RgbFrame,
    box: EventItem['bestBox'],
    options: { frameScale: number; quality: number },
  ): boolean;
};
type LiveFeedLike = { broadcast(message: LiveMessage): void };

function eventStoreOf(appliance: Appliance): EventStoreLike {
  const store = (appliance as unknown as { eventStore?: EventStoreLike }).eventStore;
  if (!store) throw new Error('this appliance has no eventStore: adapt test/ui/eventSeeding.ts to the merged store');
  return store;
}

/** Stores `event`, and its pictures (best frame with the box, thumbnail) drawn from `frame` when given. */
export function seedEvent(appliance: Appliance, event: SeededEvent, frame?: RgbFrame): void {
  const store = eventStoreOf(appliance);
  if (!store.upsert(event)) throw new Error(`the event store refused event ${event.id}`);
  if (
    frame &&
    !store.saveSnapshot(event.id, frame, event.bestBox, { frameScale: frame.width / event.sourceWidth, quality: 80 })
  )
    throw new Error(`the event store did not save the pictures of event ${event.id}`);
}

/** Sends `event` on the live feed as the tracker does (store it first with `seedEvent`). */
export function announceEvent(appliance: Appliance, eventType: 'new' | 'update' | 'end', event: EventItem): void {
  const live = (appliance as unknown as { live?: LiveFeedLike }).live;
  if (!live) throw new Error('this appliance has no live feed to announce on: adapt test/ui/eventSeeding.ts');
  live.broadcast({ type: 'event', topic: 'frigate/events', eventType, event });
}
