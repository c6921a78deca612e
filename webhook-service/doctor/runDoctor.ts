// The doctor, as a story: read the configuration, check each dependency, then the whole webhook
// path (only when Redis and LiveKit's API answer: the probe needs both), and report.
import { ConfigError, loadConfig, type Config } from '../config';
import { checkClock, checkLiveKitApi, checkMongo, checkRedis, checkService } from './checks';
import type { CheckResult, DoctorReport } from './report';
import { checkWebhookPath } from './webhookPath';

export interface DoctorOptions {
  env: Readonly<Record<string, string | undefined>>;
  version: string;
  /** Where the service answers. @defaultValue http://127.0.0.1:<PORT> */
  serviceUrl?: string;
  /** How long to wait for the probe's participant_joined webhook, in ms. @defaultValue 20000 */
  webhookTimeoutMs?: number;
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  let config: Config;
  try {
    config = loadConfig(options.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const checks: CheckResult[] = [{ name: 'configuration', status: 'fail', detail: error.problems.join('; '), cause: 'fix the variables named; nothing else was checked.' }];
    return { version: options.version, checks, ok: false };
  }
  const serviceUrl = options.serviceUrl ?? `http://127.0.0.1:${config.PORT}`;
  const checks: CheckResult[] = [{ name: 'configuration', status: 'ok', detail: 'every variable is valid' }];
  const [mongo, redis, api, clock, service] = await Promise.all([checkMongo(config), checkRedis(config), checkLiveKitApi(config), checkClock(config), checkService(serviceUrl)]);
  checks.push(mongo, redis, api, clock.result, service);
  if (redis.status === 'fail' || api.status === 'fail') {
    checks.push({ name: 'webhook-path', status: 'skipped', detail: 'needs Redis and the LiveKit API, which failed above' });
  } else {
    checks.push(
      ...(await checkWebhookPath(config, {
        serviceUrl,
        serviceAnswers: service.status === 'ok',
        clockOffsetSeconds: clock.offsetSeconds,
        timeoutMs: options.webhookTimeoutMs ?? 20_000,
      })),
    );
  }
  return { version: options.version, checks, ok: checks.every((check) => check.status !== 'fail' && check.status !== 'skipped') };
}
