// jest globalTeardown of the e2e project: the service process first (it holds connections to
// the stack), then the clinic backend receiving its events, then the stack.
import type { ServiceProcess } from '../../scripts/serviceProcess';
import type { ClinicBackend } from './clinicBackend';
import { stopStackIfStarted } from './stackLifecycle';

interface ServiceHolder {
  __autostartE2eService?: ServiceProcess;
  __autostartE2eClinicBackend?: ClinicBackend;
}

export default async function e2eGlobalTeardown(): Promise<void> {
  const holder = globalThis as ServiceHolder;
  const service = holder.__autostartE2eService;
  holder.__autostartE2eService = undefined;
  await service?.stop();
  await holder.__autostartE2eClinicBackend?.close();
  holder.__autostartE2eClinicBackend = undefined;
  await stopStackIfStarted();
}
