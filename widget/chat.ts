// The in-call text chat: messages go between the widgets over LiveKit's reliable data channel
// (topic CHAT_TOPIC) in the session's own room, and live only in the pages' memory: the service
// never sees or stores them, and a page forgets them when its call ends. Pure: the wire format,
// its validator, and the log the view shows.

/** The data topic of chat messages. */
export const CHAT_TOPIC = 'lwr.chat';

/** Longer messages are refused on sending and ignored on receipt. */
export const MAX_CHAT_LENGTH = 2000;

/** The log keeps the latest messages only, so a long session cannot grow a page without end. */
export const MAX_CHAT_MESSAGES = 200;

export interface ChatMessage {
  /** Random per message: a repeat (a retried packet) is shown once. */
  id: string;
  text: string;
  /** Who wrote it, as this page sees it. */
  from: 'me' | 'them';
}

interface WireMessage {
  v: 1;
  id: string;
  text: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The trimmed text to send, or null for nothing worth sending (empty, or too long). */
export function chatText(input: string): string | null {
  const text = input.trim();
  return text === '' || text.length > MAX_CHAT_LENGTH ? null : text;
}

export function encodeChat(id: string, text: string): Uint8Array<ArrayBuffer> {
  const wire: WireMessage = { v: 1, id, text };
  return encoder.encode(JSON.stringify(wire));
}

/** A received payload as a message from the other side, or null when it is not one of ours. */
export function parseChat(payload: Uint8Array): { id: string; text: string } | null {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(payload));
  } catch {
    return null;
  }
  const wire = value as Partial<WireMessage> | null;
  if (typeof wire !== 'object' || wire === null || wire.v !== 1) return null;
  if (typeof wire.id !== 'string' || wire.id === '' || wire.id.length > 64) return null;
  if (typeof wire.text !== 'string' || chatText(wire.text) === null) return null;
  return { id: wire.id, text: wire.text.trim() };
}

/** The log with `message` added at the end (once per id), the oldest dropped past the limit. */
export function addToChat(log: readonly ChatMessage[], message: ChatMessage): readonly ChatMessage[] {
  if (log.some((entry) => entry.id === message.id)) return log;
  return [...log, message].slice(-MAX_CHAT_MESSAGES);
}

/**
 * On unless the clinic (the join token's `autostart.chat` attribute, `clinicValue`) or the page
 * (its `chat` attribute) turns it off: the page may narrow the clinic's choice, never widen it.
 */
export function chatEnabled(pageValue: string | null, clinicValue: string | null = null): boolean {
  return pageValue !== 'off' && clinicValue !== 'off';
}
