// Where each person's video goes in the call, as a pure rule: the pair's layout for two, a grid
// from three, and on a phone the active speaker large with the others small or off-screen.

import fc from 'fast-check';
import { callLayout, PHONE_WIDTH, SELF, SMALL_TILES } from '../../../widget/callLayout';

const DESKTOP = 900;
const PHONE = 390;
const places = (layout: ReturnType<typeof callLayout>) => layout.tiles.map(({ key, place }) => `${key || 'self'}:${place}`);

describe('the call layout', () => {
  it('two people keep the pair: the other large, the self view small, on any width', () => {
    for (const width of [PHONE, DESKTOP]) {
      const layout = callLayout(['counselor-1'], ['counselor-1'], width, null);
      expect(layout.mode).toBe('pair');
      expect(places(layout)).toEqual(['counselor-1:main', 'self:small']);
    }
    // Alone in the call (the other left): still the pair's stage, waiting for them.
    expect(places(callLayout([], [], DESKTOP, null))).toEqual(['self:small']);
  });

  it('three to sixteen people on a wide widget are a grid of equal tiles, self last, columns growing with the square root', () => {
    const columns: Record<number, number> = {};
    for (let people = 3; people <= 16; people++) {
      const remotes = Array.from({ length: people - 1 }, (_, index) => `p${index}`);
      const layout = callLayout(remotes, ['p1'], DESKTOP, null);
      expect(layout.mode).toBe('grid');
      expect(layout.tiles.map((tile) => tile.key)).toEqual([...remotes, SELF]);
      expect(layout.tiles.every((tile) => tile.place === 'tile')).toBe(true);
      expect(layout.tiles.filter((tile) => tile.speaking).map((tile) => tile.key)).toEqual(['p1']);
      columns[people] = layout.columns;
    }
    expect(columns).toMatchObject({ 3: 2, 4: 2, 5: 3, 9: 3, 10: 4, 16: 4 });
  });

  it('on a phone the loudest remote speaker is large, this page and the latest speakers small, the rest off-screen', () => {
    const remotes = ['student', 'guardian', 'counselor', 'interpreter', 'co'];
    const layout = callLayout(remotes, ['guardian', SELF, 'co'], PHONE, null);
    expect(layout.mode).toBe('speaker');
    expect(places(layout)).toEqual(['guardian:main', 'self:small', 'co:small', 'student:small', 'counselor:off', 'interpreter:off']);
    expect(layout.featured).toBe('guardian');
  });

  it('on a phone a silence, or only this page speaking, keeps the one featured; one who left is replaced by the first to join', () => {
    const remotes = ['student', 'guardian', 'counselor'];
    expect(callLayout(remotes, [], PHONE, 'counselor').tiles[0]?.key).toBe('counselor');
    expect(callLayout(remotes, [SELF], PHONE, 'counselor').tiles[0]?.key).toBe('counselor');
    expect(callLayout(remotes, [], PHONE, 'gone').tiles[0]?.key).toBe('student');
    expect(callLayout(remotes, ['guardian'], PHONE, 'counselor').featured).toBe('guardian');
  });

  it('the phone rule starts under PHONE_WIDTH', () => {
    expect(callLayout(['a', 'b'], [], PHONE_WIDTH - 1, null).mode).toBe('speaker');
    expect(callLayout(['a', 'b'], [], PHONE_WIDTH, null).mode).toBe('grid');
  });

  it('for any people, speakers and width, everyone has exactly one tile, at most one is large, and off-screen tiles only on a phone', () => {
    const identity: fc.Arbitrary<string> = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o');
    fc.assert(
      fc.property(fc.uniqueArray(identity, { maxLength: 15 }), fc.array(fc.oneof(identity, fc.constant(SELF)), { maxLength: 6 }), fc.integer({ min: 200, max: 2000 }), fc.option(identity), (remotes, speakers, width, featured) => {
        const layout = callLayout(remotes, [...new Set(speakers)], width, featured);
        expect(layout.tiles.map((tile) => tile.key).sort()).toEqual([...remotes, SELF].sort());
        expect(layout.tiles.filter((tile) => tile.place === 'main').length).toBeLessThanOrEqual(1);
        const shown = layout.tiles.filter((tile) => tile.place !== 'off').length;
        if (layout.mode === 'speaker') {
          expect(shown).toBe(Math.min(layout.tiles.length, 1 + SMALL_TILES));
          expect(remotes).toContain(layout.tiles[0]?.key);
        } else expect(shown).toBe(layout.tiles.length);
        expect(layout.featured === null || remotes.includes(layout.featured)).toBe(true);
      }),
    );
  });
});
