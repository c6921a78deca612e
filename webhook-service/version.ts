// What this build is: the package version (bundled in at build time) and the source revision
// the image was built from (AUTOSTART_REVISION, set by the Dockerfile from its build argument).
import { version } from '../package.json';

export interface ServiceVersion {
  version: string;
  /** The git commit the image was built from, or null outside the image. */
  revision: string | null;
}

export function serviceVersion(env: Readonly<Record<string, string | undefined>> = process.env): ServiceVersion {
  const revision = env.AUTOSTART_REVISION;
  return { version, revision: revision && /^[0-9a-f]{7,40}$/.test(revision) ? revision : null };
}
