import type { EventId, EventStore, JSONRPCMessage, StreamId } from '@modelcontextprotocol/server';

/**
 * In-memory resumability for legacy SSE streams: the last `perStream` events of each stream, so a
 * client that reconnects with `Last-Event-ID` gets what it missed. Bounded per stream and in streams;
 * one store per legacy session, dropped with it.
 */
export class BoundedEventStore implements EventStore {
  readonly #streams = new Map<StreamId, { id: EventId; message: JSONRPCMessage }[]>();
  readonly #perStream: number;
  readonly #maxStreams: number;
  #counter = 0;

  constructor(options: { perStream?: number; maxStreams?: number } = {}) {
    this.#perStream = options.perStream ?? 200;
    this.#maxStreams = options.maxStreams ?? 64;
  }

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const id = `${streamId}_${(++this.#counter).toString(36)}`;
    let events = this.#streams.get(streamId);
    if (!events) {
      if (this.#streams.size >= this.#maxStreams) this.#streams.delete(this.#streams.keys().next().value as StreamId);
      events = [];
      this.#streams.set(streamId, events);
    }
    events.push({ id, message });
    if (events.length > this.#perStream) events.shift();
    return id;
  }

  async getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    const separator = eventId.lastIndexOf('_');
    return separator > 0 ? eventId.slice(0, separator) : undefined;
  }

  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    const streamId = (await this.getStreamIdForEventId(lastEventId)) ?? '';
    const events = this.#streams.get(streamId) ?? [];
    const index = events.findIndex((event) => event.id === lastEventId);
    for (const event of events.slice(index + 1)) await send(event.id, event.message);
    return streamId;
  }
}
