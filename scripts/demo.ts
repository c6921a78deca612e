// `npm run demo`: the whole product on this machine. Starts the stack (Redis, FerretDB,
// LiveKit on loopback), the webhook service where LiveKit posts its webhooks, builds the widget
// and serves the demo clinic portal on 127.0.0.1 (port 3000, or a free one). Ctrl-C stops it all.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { startPortal, type Portal } from '../demo/portalServer';
import { buildWidget } from './build-widget';
import { startServiceProcess, type ServiceProcess } from './serviceProcess';
import { startStack, type Stack } from './stack';
import { serviceEnv } from './shared/serviceEnv';

const PREFERRED_PORT = Number(process.env.DEMO_PORT ?? 3000);

async function portalOnPreferredPort(options: Omit<Parameters<typeof startPortal>[0], 'port'>): Promise<Portal> {
  try {
    return await startPortal({ ...options, port: PREFERRED_PORT });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    console.log(`port ${PREFERRED_PORT} is taken; using a free one`);
    return startPortal({ ...options, port: 0 });
  }
}

async function main(): Promise<void> {
  let stack: Stack | undefined;
  let service: ServiceProcess | undefined;
  let portal: Portal | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      console.log('\nstopping the demo…');
      await portal?.stop().catch((error: unknown) => console.error('portal:', error));
      await service?.stop().catch((error: unknown) => console.error('service:', error));
      await stack?.stop().catch((error: unknown) => console.error('stack:', error));
    })());
  process.once('SIGINT', () => void stop().then(() => process.exit(0)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(0)));

  try {
    console.log('starting Redis, FerretDB and LiveKit…');
    stack = await startStack();
    // Fresh secrets per run: only the portal's server holds them, never the browser.
    const clinicApiToken = randomBytes(24).toString('base64url');
    const webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
    console.log('building the widget…');
    const { bundlePath } = await buildWidget();
    // The portal first: the service sends its events to the portal's /hooks from its start.
    const serviceUrl = `http://127.0.0.1:${stack.webhookPort}`;
    portal = await portalOnPreferredPort({ clinicApiUrl: serviceUrl, clinicApiToken, webhookSecret, widgetDir: path.dirname(bundlePath) });
    console.log('starting the webhook service…');
    service = await startServiceProcess({
      port: stack.webhookPort,
      stdio: 'ignore',
      env: serviceEnv(stack, {
        database: 'autostart_demo',
        clinicApiToken,
        prefix: 'autostart-demo',
        // The counselor's token then carries the service's endUrl, callable from the portal's pages.
        extra: { CLINIC_WEBHOOK_URLS: `${portal.url}/hooks`, CLINIC_WEBHOOK_SECRET: webhookSecret, SERVICE_PUBLIC_URL: serviceUrl, CORS_ORIGINS: portal.url },
      }),
    });
  } catch (error) {
    await stop();
    throw error;
  }
  console.log(`
Demo clinic portal: ${portal.url}/
  1. open it, tick whom the appointment has besides the pair (a guardian, required or not; an
     interpreter; an observing supervisor, disclosed to the others or not) and press "Create a
     session";
  2. open each person's link (a tab or a browser each); each link is personal and signed for
     this run: the student's cannot join as the counselor nor end the session (a real portal
     does the same with its own login);
  3. each sees a waiting room naming whom the start still waits for, then the call starts;
     the portal's page follows the session from the events the service sends it.
Service ${service.url}, LiveKit ${stack.livekitUrl}. Press Ctrl-C to stop everything.`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
