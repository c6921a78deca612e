// The widget as a clinic installs it: `npm run pack:widget` makes the package and its tarball;
// publint and @arethetypeswrong/cli pass on it; installed into a fresh project (livekit-client,
// its peer, from this repository's copy, so nothing is downloaded), it type-checks under
// TypeScript's nodenext resolution and loads, registering the element.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_DIR, PACKAGE_NAME, packWidget } from '../../scripts/pack-widget';

jest.setTimeout(180_000);

const root = path.resolve(__dirname, '..', '..');
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);
let tarball: string;
let consumer: string;

beforeAll(async () => {
  tarball = (await packWidget({ tarball: true })).tarball as string;
  consumer = fs.mkdtempSync(path.join(os.tmpdir(), 'widget-consumer-'));
  const livekitClient = path.join(root, 'node_modules', 'livekit-client');
  fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { 'livekit-client': `file:${livekitClient}` } }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: consumer, stdio: 'ignore' });
});

afterAll(() => {
  fs.rmSync(consumer, { recursive: true, force: true });
});

test('the package carries the ES module, its types, the script-tag bundle and the manifest, with livekit-client as a peer', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8'));
  expect(manifest).toMatchObject({ name: PACKAGE_NAME, type: 'module', sideEffects: ['./livekit-waiting-room.js'], customElements: './custom-elements.json' });
  expect(Object.keys(manifest.exports)).toEqual(['.', './react', './script', './custom-elements.json', './package.json']);
  expect(Object.keys(manifest.peerDependencies)).toEqual(['livekit-client']);
  const listed = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
  for (const file of ['index.js', 'index.d.ts', 'react.d.ts', 'script.d.ts', 'livekit-waiting-room.js', 'custom-elements.json', 'types/widget/index.d.ts']) {
    expect(listed).toContain(`package/${file}`);
  }
});

test('publint and arethetypeswrong (ESM-only profile) pass on it', () => {
  const publint = spawnSync(bin('publint'), [PACKAGE_DIR, '--strict'], { encoding: 'utf8' });
  expect(publint.stdout).toContain('All good!');
  expect(publint.status).toBe(0);
  const attw = spawnSync(bin('attw'), ['--profile', 'esm-only', tarball], { encoding: 'utf8' });
  expect(attw.stdout).toContain('node16 (from ESM): 🟢 (ESM)');
  expect(attw.status).toBe(0);
});

test('installed into a fresh project, it type-checks under nodenext and loads, registering the element', () => {
  fs.writeFileSync(
    path.join(consumer, 'check.ts'),
    "import { defineLiveKitWaitingRoom, type SessionEndedDetail } from '@autostart/livekit-waiting-room';\nconst reason: SessionEndedDetail['reason'] = 'no-show';\ndefineLiveKitWaitingRoom();\nexport const element: HTMLElementTagNameMap['livekit-waiting-room'] | null = null;\nexport { reason };\n",
  );
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--lib', 'es2022,dom', '--skipLibCheck', 'check.ts'], { cwd: consumer, encoding: 'utf8' });
  expect(tsc.stdout).toBe('');
  expect(tsc.status).toBe(0);

  const script = "globalThis.HTMLElement = class {}; const defined = []; globalThis.customElements = { get: () => undefined, define: (name) => defined.push(name) }; const widget = await import('@autostart/livekit-waiting-room'); widget.defineLiveKitWaitingRoom(); console.log(JSON.stringify({ defined, controller: typeof widget.WaitingRoomController }));";
  const loaded = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: consumer, encoding: 'utf8' });
  expect(loaded.stderr).toBe('');
  expect(JSON.parse(loaded.stdout)).toEqual({ defined: ['livekit-waiting-room'], controller: 'function' });
});
