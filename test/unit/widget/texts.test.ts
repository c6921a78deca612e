// Texts: language choice, override precedence and the waited-time format.

import { baseTexts, en, es, formatElapsed, formatWaited, resolveTexts, textAttributeName } from '../../../widget/texts';

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

  it('every language says that a supervisor observes, tells the observer so, and names each role that is away or back', () => {
    expect(en.observed).toBe('A supervisor is observing this session');
    expect(es.observed).toBe('Un supervisor está observando esta sesión');
    expect([en.youAreObserving, es.youAreObserving]).toEqual(['You are observing this session', 'Estás observando esta sesión']);
    expect([en.guardianDropped, en.interpreterLeft, en.coCounselorBack]).toEqual(['The guardian’s connection dropped - waiting for them to come back', 'The interpreter left the call - waiting for them to come back', 'The co-counselor is back']);
    expect([es.guardianDropped, es.interpreterLeft, es.coCounselorBack]).toEqual(['Se cortó la conexión del tutor - esperando a que vuelva', 'El intérprete salió de la llamada - esperando a que vuelva', 'El co-consejero volvió']);
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

  it('formats the session timer and the time away as m:ss, and h:mm:ss from an hour on', () => {
    expect(formatElapsed(0)).toBe('0:00');
    expect(formatElapsed(12_400)).toBe('0:12');
    expect(formatElapsed(59 * 60_000 + 59_999)).toBe('59:59');
    expect(formatElapsed(3_600_000)).toBe('1:00:00');
    expect(formatElapsed(2 * 3_600_000 + 5 * 60_000 + 7_000)).toBe('2:05:07');
    expect(formatElapsed(-1_000)).toBe('0:00');
  });
});
