// jest globalTeardown of the integration project: stops what globalSetup started.
import { stopStackIfStarted } from './stackLifecycle';

export default async function globalTeardown(): Promise<void> {
  await stopStackIfStarted();
}
