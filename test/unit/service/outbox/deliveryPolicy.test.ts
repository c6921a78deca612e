import fc from 'fast-check';
import { afterFailure, backoffAfter, deliveryId, MAX_BACKOFF_MS, outcomeOf, parseEndpoint, parseEndpoints } from '../../../../webhook-service/outbox/deliveryPolicy';

describe('endpoints', () => {
  test('a named entry keeps its name; a bare URL is named after itself, whatever its place in the list', () => {
    expect(parseEndpoint('crm=https://clinic.example/hooks')).toEqual({ name: 'crm', url: 'https://clinic.example/hooks' });
    const [a, b] = parseEndpoints(['https://one.example/h', 'https://two.example/h']);
    const [b2, a2] = parseEndpoints(['https://two.example/h', 'https://one.example/h']);
    expect(a?.name).toMatch(/^url-[0-9a-f]{12}$/);
    expect([a2?.name, b2?.name]).toEqual([a?.name, b?.name]);
  });

  test('https is required except on loopback', () => {
    expect(() => parseEndpoint('crm=http://clinic.example/hooks')).toThrow('endpoint "crm" must use https:// (http:// only on loopback)');
    expect(parseEndpoint('dev=http://127.0.0.1:8080/hooks').url).toBe('http://127.0.0.1:8080/hooks');
    expect(parseEndpoint('dev=http://localhost:8080/hooks').name).toBe('dev');
    expect(() => parseEndpoint('ftp://clinic.example')).toThrow(/must use https/);
  });

  test('bad names, bad URLs and a name listed twice are refused with what is wrong', () => {
    expect(() => parseEndpoint('Bad Name=https://clinic.example')).toThrow(/lowercase/);
    expect(() => parseEndpoint('crm=not a url')).toThrow('"crm" is not a URL');
    expect(() => parseEndpoints(['crm=https://a.example', 'crm=https://b.example'])).toThrow('endpoint "crm" is listed twice');
  });
});

describe('tries', () => {
  test('the wait doubles from the first backoff and stops growing at an hour', () => {
    expect([1, 2, 3, 4].map((failures) => backoffAfter(failures, 1000))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffAfter(40, 1000)).toBe(MAX_BACKOFF_MS);
  });

  test('a delivery is retried while its next try starts within the window, then given up', () => {
    const policy = { retryForMs: 24 * 3600_000, backoffMs: 1000 };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 48 * 3600_000 }), (failures, elapsed) => {
        const next = afterFailure(policy, failures, 0, elapsed);
        if (next.kind === 'retry') {
          expect(next.at).toBe(elapsed + backoffAfter(failures, 1000));
          expect(next.at).toBeLessThanOrEqual(policy.retryForMs);
        } else {
          expect(elapsed + backoffAfter(failures, 1000)).toBeGreaterThan(policy.retryForMs);
        }
      }),
    );
  });

  test('only a 2xx delivers; a redirect is a failure that says it was not followed', () => {
    expect(outcomeOf({ status: 204 })).toEqual({ delivered: true });
    expect(outcomeOf({ status: 302 })).toEqual({ delivered: false, problem: 'HTTP 302 (redirects are not followed)' });
    expect(outcomeOf({ status: 503 })).toEqual({ delivered: false, problem: 'HTTP 503' });
    expect(outcomeOf({ error: 'connect ECONNREFUSED' })).toEqual({ delivered: false, problem: 'connect ECONNREFUSED' });
  });

  test('one event for one endpoint is one delivery id; another endpoint or event is another', () => {
    expect(deliveryId('crm', 'evt_1')).toBe(deliveryId('crm', 'evt_1'));
    expect(new Set([deliveryId('crm', 'evt_1'), deliveryId('crm', 'evt_2'), deliveryId('audit', 'evt_1')]).size).toBe(3);
  });
});
