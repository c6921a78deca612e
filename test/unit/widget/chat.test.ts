// The in-call chat's wire format, its validator and the log, without a room.

import fc from 'fast-check';
import { addToChat, chatEnabled, chatText, encodeChat, MAX_CHAT_LENGTH, MAX_CHAT_MESSAGES, parseChat, type ChatMessage } from '../../../widget/chat';

describe('the in-call chat', () => {
  it('round-trips a message, trimmed', () => {
    expect(parseChat(encodeChat('m1', 'Can you see the worksheet?'))).toEqual({ id: 'm1', text: 'Can you see the worksheet?' });
    expect(chatText('  hola  ')).toBe('hola');
  });

  it('sends nothing empty or too long, and ignores what is not a message of ours', () => {
    expect(chatText('   ')).toBeNull();
    expect(chatText('x'.repeat(MAX_CHAT_LENGTH + 1))).toBeNull();
    const bytes = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
    for (const payload of [bytes('not json'), bytes(null), bytes({ v: 2, id: 'm', text: 'x' }), bytes({ v: 1, id: '', text: 'x' }), bytes({ v: 1, id: 'm', text: '' }), bytes({ v: 1, id: 'm', text: 'x'.repeat(MAX_CHAT_LENGTH + 1) }), bytes({ v: 1, id: 'm'.repeat(65), text: 'x' }), new Uint8Array([1])]) {
      expect(parseChat(payload)).toBeNull();
    }
  });

  it('property: any text a person can send arrives as sent (trimmed)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: MAX_CHAT_LENGTH }), fc.uuid(), (input, id) => {
        const text = chatText(input);
        if (text === null) return;
        expect(parseChat(encodeChat(id, text))).toEqual({ id, text });
      }),
    );
  });

  it('shows a repeated message once and keeps only the latest messages', () => {
    const message = (id: string): ChatMessage => ({ id, text: id, from: 'them' });
    let log = addToChat([], message('a'));
    expect(addToChat(log, message('a'))).toBe(log);
    for (let index = 0; index < MAX_CHAT_MESSAGES + 5; index += 1) log = addToChat(log, message(`m${index}`));
    expect(log).toHaveLength(MAX_CHAT_MESSAGES);
    expect(log.at(-1)?.id).toBe(`m${MAX_CHAT_MESSAGES + 4}`);
  });

  it('is on unless the page turns it off', () => {
    expect([chatEnabled(null), chatEnabled(''), chatEnabled('on'), chatEnabled('off')]).toEqual([true, true, true, false]);
  });

  it("is off whenever the clinic's setting in the token says off, whatever the page says", () => {
    expect([chatEnabled(null, 'off'), chatEnabled('on', 'off'), chatEnabled(null, 'on'), chatEnabled('off', 'on')]).toEqual([false, false, true, false]);
  });
});
