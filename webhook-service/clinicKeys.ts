// Clinic API keys: who holds them (a clinic, the tenant) and what each may do (its scopes). A
// session belongs to the clinic whose key created it, and every read or action on it, listing,
// export, audit and delivery is confined to that clinic. The grants are configuration, not
// secrets (CLINIC_API_KEY_GRANTS, JSON by key name); the secrets stay in CLINIC_API_KEYS.
import { z } from 'zod';

/** What a key may do, one scope per kind of call. */
export const CLINIC_SCOPES = [
  /** Read sessions: one, the listing, the attendance CSV. */
  'sessions:read',
  /** Create, end and cancel sessions. */
  'sessions:write',
  /** Mint join tokens for a session's student and counselor. */
  'tokens:write',
  /** Read a session's audit trail. */
  'audit:read',
  /** List the clinic webhook deliveries that gave up. */
  'deliveries:read',
  /** Send a failed delivery again. */
  'deliveries:write',
] as const;

/** An optional JSON text (the configuration's JSON settings): null when absent, an issue "not JSON" when it does not parse. */
export const optionalJson = z
  .string()
  .optional()
  .transform((text, context) => {
    if (text === undefined) return null;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      context.addIssue({ code: 'custom', message: 'not JSON' });
      return z.NEVER;
    }
  });

export type ClinicScope = (typeof CLINIC_SCOPES)[number];

/** The clinic of every key when no grants are configured (a single-clinic deployment), and of sessions stored before tenancy. */
export const DEFAULT_CLINIC = 'default';

/** A clinic's id: what CLINIC_API_KEY_GRANTS names it. */
export const clinicIdSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/);

export interface ClinicApiKey {
  name: string;
  secret: string;
  /** The clinic (tenant) the key acts for. */
  clinicId: string;
  scopes: readonly ClinicScope[];
}

/** One key's grant: its clinic and its scopes (all of them when left out). */
export const keyGrantSchema = z
  .object({
    clinic: clinicIdSchema,
    scopes: z.array(z.enum(CLINIC_SCOPES)).min(1).optional(),
  })
  .strict();

export type KeyGrant = z.output<typeof keyGrantSchema>;

/** The grants by key name, from the JSON text of CLINIC_API_KEY_GRANTS. */
export const keyGrantsSchema = optionalJson.pipe(z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/), keyGrantSchema).nullable());

/** The keys with their grants; without grants every key is the default clinic's, with every scope (as before tenancy). */
export function grantKeys(keys: readonly { name: string; secret: string }[], grants: Readonly<Record<string, KeyGrant>> | null): ClinicApiKey[] {
  return keys.map((key) => {
    const grant = grants?.[key.name];
    return { ...key, clinicId: grant?.clinic ?? DEFAULT_CLINIC, scopes: grant?.scopes ?? [...CLINIC_SCOPES] };
  });
}
