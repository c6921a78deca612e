// The Kubernetes manifests in deploy/kubernetes: valid against the Kubernetes API schemas
// (kubernetes-models, no network), and consistent with the service: the ConfigMap and the
// Secret make a configuration the service accepts, the probes hit its endpoints, the grace
// period covers the drain and the shutdown, and the selectors find the pods.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../../webhook-service/config';

const root = path.resolve(__dirname, '..', '..', '..');
const dir = path.join(root, 'deploy', 'kubernetes');
const files = fs.readdirSync(dir).filter((name) => name.endsWith('.yaml')).map((name) => path.join(dir, name));

interface Manifest {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: Record<string, unknown> & {
    selector?: { matchLabels?: Record<string, string> } & Record<string, string>;
    template?: { metadata: { labels: Record<string, string> }; spec: PodSpec };
    ports?: { targetPort: string }[];
  };
}
interface Container {
  command: string[];
  ports: { name: string; containerPort: number }[];
  readinessProbe: { httpGet: { path: string; port: string } };
  livenessProbe: { httpGet: { path: string; port: string } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  volumeMounts: { name: string; mountPath: string }[];
}
interface PodSpec {
  terminationGracePeriodSeconds: number;
  containers: Container[];
}

const manifests: Manifest[] = files.flatMap((file) => parseAllDocuments(fs.readFileSync(file, 'utf8')).map((document) => document.toJS() as Manifest));
const one = (kind: string, name: string): Manifest => {
  const found = manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  if (!found) throw new Error(`deploy/kubernetes has no ${kind} ${name}`);
  return found;
};

function validate(paths: string[]): { file: string; kind: string; errors: string[] }[] {
  const result = spawnSync(process.execPath, [path.join(root, 'test', 'support', 'validateKubernetes.mjs'), ...paths], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { file: string; kind: string; errors: string[] });
}

test('when every manifest is checked against the Kubernetes schemas, then none has an error', () => {
  const results = validate(files);
  expect(results.map((result) => result.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Deployment', 'Job', 'PodDisruptionBudget', 'PodDisruptionBudget', 'Secret', 'Service']);
  expect(results.filter((result) => result.errors.length > 0)).toEqual([]);
});

test('when a manifest is broken, then the schema check says so', () => {
  const broken = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'autostart-k8s-')), 'broken.yaml');
  fs.writeFileSync(broken, fs.readFileSync(path.join(dir, 'api.yaml'), 'utf8').replace('containerPort: 8080', 'containerPort: eight-thousand'));
  expect(validate([broken])[0]?.errors.join(' ')).toMatch(/containerPort/);
  fs.rmSync(path.dirname(broken), { recursive: true, force: true });
});

test('when the ConfigMap and the Secret are mounted as the Deployments do, then the service accepts the configuration', () => {
  const settings = one('ConfigMap', 'autostart').data ?? {};
  const secrets = one('Secret', 'autostart').stringData ?? {};
  const mount = '/run/secrets/autostart/';
  const config = loadConfig(settings, {
    readFile: (file) => {
      const value = file.startsWith(mount) ? secrets[file.slice(mount.length)] : undefined;
      if (value === undefined) throw Object.assign(new Error(`no ${file}`), { code: 'ENOENT' });
      return value;
    },
  });
  expect(config.METRICS_PORT).toBe(9464);
  for (const [kind, name] of [['Deployment', 'autostart-api'], ['Deployment', 'autostart-worker'], ['Job', 'autostart-migrate']] as const) {
    const pod = one(kind, name).spec?.template?.spec as PodSpec;
    expect(pod.containers[0]?.volumeMounts).toContainEqual({ name: 'secrets', mountPath: mount.slice(0, -1), readOnly: true });
  }
});

test.each([
  ['api', '--api-only'],
  ['worker', '--worker-only'],
])('when the %s Deployment runs, then its role, probes, ports, resources, grace period and budget fit the service', (name, role) => {
  const deployment = one('Deployment', `autostart-${name}`);
  const settings = one('ConfigMap', 'autostart').data ?? {};
  const pod = deployment.spec?.template?.spec as PodSpec;
  const container = pod.containers[0] as Container;
  expect(container.command).toEqual(['node', 'dist/service/main.js', role]);
  expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
  expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
  expect(container.ports).toEqual([
    { name: 'http', containerPort: Number(settings.PORT) },
    { name: 'metrics', containerPort: Number(settings.METRICS_PORT) },
  ]);
  expect(Object.keys(container.resources.requests).sort()).toEqual(['cpu', 'memory']);
  expect(container.resources.limits.memory).toBeDefined();
  expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(Number(settings.SHUTDOWN_DRAIN_DELAY_MS) + Number(settings.SHUTDOWN_TIMEOUT_MS));
  const labels = deployment.spec?.template?.metadata.labels ?? {};
  expect(labels).toMatchObject(deployment.spec?.selector?.matchLabels ?? { missing: true });
  expect(labels).toMatchObject(one('PodDisruptionBudget', `autostart-${name}`).spec?.selector?.matchLabels ?? { missing: true });
});

test('when the Service routes, then it selects the API pods only, on their http port', () => {
  const service = one('Service', 'autostart-api');
  const apiLabels = one('Deployment', 'autostart-api').spec?.template?.metadata.labels ?? {};
  const workerLabels = one('Deployment', 'autostart-worker').spec?.template?.metadata.labels ?? {};
  const selector = (service.spec?.selector ?? {}) as Record<string, string>;
  expect(apiLabels).toMatchObject(selector);
  expect(workerLabels).not.toMatchObject(selector);
  expect(service.spec?.ports?.map((port) => port.targetPort)).toEqual(['http']);
});

test('when the migration Job runs, then it runs the compiled migration with the same settings and secrets as the service', () => {
  const job = one('Job', 'autostart-migrate').spec?.template?.spec as PodSpec & { restartPolicy: string; containers: (Container & { image: string; envFrom: unknown })[] };
  const api = one('Deployment', 'autostart-api').spec?.template?.spec as PodSpec & { containers: (Container & { image: string; envFrom: unknown })[] };
  expect(job.containers[0]?.command).toEqual(['node', 'dist/service/migrate.js']);
  expect(job.containers[0]?.image).toBe(api.containers[0]?.image);
  expect(job.containers[0]?.envFrom).toEqual(api.containers[0]?.envFrom);
  expect(job.restartPolicy).toBe('Never');
});
