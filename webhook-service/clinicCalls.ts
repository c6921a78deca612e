// What each clinic allows in its calls (CLINIC_CALL_SETTINGS, JSON by clinic id): who may share a
// screen and whether the in-call chat is on. Configuration, not secrets. A clinic not listed gets
// the defaults (the counselor may share, chat on), as every clinic did before the setting existed.
import { z } from 'zod';
import { DEFAULT_CALL_SETTINGS, SCREEN_SHARE_POLICIES, type CallSettings, type ScreenSharePolicy } from '../plugin';
import { clinicIdSchema, optionalJson } from './clinicKeys';

const clinicCallSettingsSchema = z
  .object({
    screenShare: z.enum(SCREEN_SHARE_POLICIES as [ScreenSharePolicy, ...ScreenSharePolicy[]]).optional(),
    chat: z.boolean().optional(),
  })
  .strict();

/** The settings by clinic id, from the JSON text of CLINIC_CALL_SETTINGS; null when not set. */
export const callSettingsSchema = optionalJson.pipe(z.record(clinicIdSchema, clinicCallSettingsSchema).nullable());

export type ClinicCallSettings = z.output<typeof callSettingsSchema>;

/** A clinic's call settings: what it configured, the defaults for the rest. */
export function callSettingsFor(settings: ClinicCallSettings, clinicId: string): CallSettings {
  const own = settings?.[clinicId];
  return { screenShare: own?.screenShare ?? DEFAULT_CALL_SETTINGS.screenShare, chat: own?.chat ?? DEFAULT_CALL_SETTINGS.chat };
}
