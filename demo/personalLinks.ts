// The demo portal's personal links: each person of a session gets a link that carries who they
// are, signed (HMAC-SHA256) with a secret the portal draws at start, so the student's link
// cannot be edited into the counselor's. This stands in for a real portal's login: there, the
// portal's own session cookie says who is asking, and its backend mints the token for that
// person only (and lets only the counselor end the session); no link carries anything.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ParticipantRole } from '../plugin';

export interface Pass {
  sessionId: string;
  identity: string;
  /** Only chooses what the join page shows; the service takes the role from its own record. */
  role: ParticipantRole;
}

export interface PersonalLinks {
  /** The signed pass for one person: `<payload>.<signature>`, both base64url. */
  issue(pass: Pass): string;
  /** The pass it carries, or null when it is not one this portal signed. */
  read(signed: string): Pass | null;
}

export function personalLinks(secret: Buffer = randomBytes(32)): PersonalLinks {
  const sign = (payload: string) => createHmac('sha256', secret).update(payload).digest();
  return {
    issue(pass) {
      const payload = Buffer.from(JSON.stringify({ s: pass.sessionId, i: pass.identity, r: pass.role })).toString('base64url');
      return `${payload}.${sign(payload).toString('base64url')}`;
    },
    read(signed) {
      const [payload, signature, ...rest] = signed.split('.');
      if (!payload || !signature || rest.length > 0) return null;
      const expected = sign(payload);
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      const { s, i, r } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { s: string; i: string; r: Pass['role'] };
      return { sessionId: s, identity: i, role: r };
    },
  };
}
