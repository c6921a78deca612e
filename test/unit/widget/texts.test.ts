// Texts: language choice, override precedence and the waited-time format.

import { baseTexts, en, es, formatWaited, resolveTexts, textAttributeName } from '../../../widget/texts';

describe('widget texts', () => {
  it('picks Spanish from a regional tag and English for anything unknown', () => {
    expect(baseTexts('es-MX')).toBe(es);
    expect(baseTexts('fr')).toBe(en);
    expect(baseTexts(null)).toBe(en);
  });

  it('every language has every text', () => {
    expect(Object.keys(es).sort()).toEqual(Object.keys(en).sort());
    for (const value of Object.values(es)) expect(value).not.toBe('');
  });

  it('attributes override the texts property, which overrides the language', () => {
    const attributes: Record<string, string> = { 'text-waiting-for-counselor': 'Your advisor will be right with you' };
    const texts = resolveTexts('es', { sessionStarted: 'Go!', leave: '' }, (name) => attributes[name] ?? null);
    expect(texts.waitingForCounselor).toBe('Your advisor will be right with you');
    expect(texts.sessionStarted).toBe('Go!');
    expect(texts.leave).toBe(es.leave);
  });

  it('names attributes in kebab-case', () => {
    expect(textAttributeName('waitingForCounselor')).toBe('text-waiting-for-counselor');
  });

  it('formats time waited as mm:ss', () => {
    expect(formatWaited(0)).toBe('00:00');
    expect(formatWaited(65_999)).toBe('01:05');
    expect(formatWaited(-5)).toBe('00:00');
    expect(formatWaited(61 * 60_000)).toBe('61:00');
  });
});
