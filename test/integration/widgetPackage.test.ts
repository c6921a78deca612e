// The widget as a clinic installs it: `npm run pack:widget` makes the package and its tarball;
// publint and @arethetypeswrong/cli pass on it; installed into a fresh project (livekit-client,
// its peer, and @types/react from this repository's copies, so nothing is downloaded), it
// type-checks under TypeScript's nodenext resolution, its React 19 JSX typings accept the
// element's attributes and refuse a wrong one, and it loads, registering the element.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PACKAGE_DIR, PACKAGE_NAME, packWidget } from '../../scripts/pack-widget';

jest.setTimeout(180_000);

const root = path.resolve(__dirname, '..', '..');
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);
let tarball: string;
let consumer: string;

beforeAll(async () => {
  tarball = (await packWidget({ tarball: true })).tarball as string;
  consumer = fs.mkdtempSync(path.join(os.tmpdir(), 'widget-consumer-'));
  const local = (name: string) => `file:${path.join(root, 'node_modules', name)}`;
  const dependencies = { 'livekit-client': local('livekit-client'), '@types/react': local('@types/react') };
  fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }));
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

// 20,000 B until the call of 3 to 16 people: its layout rule, one tile per person, the role-named
// continuity notice and the observer disclosure (with their texts in each language) came to
// 21,551 B. The observer's own view (ownRole.ts: no devices, no controls) added about 245 B, and
// shipping the shadow styles and markup minified (scripts/build-widget.ts) took about 365 B off:
// 21,431 B; the budget is that, rounded up to the next 100 B.
test("the widget's own code (the ES module, livekit-client left to the host) stays under its budget of 21.5 KB min+gzip, screen share, chat and the group call included", () => {
  const gzipped = gzipSync(fs.readFileSync(path.join(PACKAGE_DIR, 'index.js')), { level: 9 }).length;
  console.log(`widget ES module: ${gzipped} B min+gzip (budget 21,500 B)`);
  expect(gzipped).toBeLessThan(21_500);
});

test('publint and arethetypeswrong (ESM-only profile) pass on it', () => {
  const publint = spawnSync(bin('publint'), [PACKAGE_DIR, '--strict'], { encoding: 'utf8' });
  expect(publint.stdout).toContain('All good!');
  expect(publint.status).toBe(0);
  const attw = spawnSync(bin('attw'), ['--profile', 'esm-only', tarball], { encoding: 'utf8' });
  expect(attw.stdout).toContain('node16 (from ESM): 🟢 (ESM)');
  expect(attw.status).toBe(0);
});

const typeCheck = (file: string, extra: string[] = []) =>
  spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--lib', 'es2022,dom', '--skipLibCheck', ...extra, file], { cwd: consumer, encoding: 'utf8' });

test('in React 19 JSX the element takes its attributes, and a wrong participant-role does not type-check', () => {
  const usage = (role: string) =>
    `import type {} from '@autostart/livekit-waiting-room/react';\nexport const room = <livekit-waiting-room participant-role="${role}" token-url="/api/sessions/s1/token" end-url="/api/sessions/s1/end" lang="es" text-leave="Salir" />;\n`;
  fs.writeFileSync(path.join(consumer, 'good.tsx'), usage('counselor'));
  fs.writeFileSync(path.join(consumer, 'bad.tsx'), usage('admin'));
  const good = typeCheck('good.tsx', ['--jsx', 'react-jsx']);
  expect(good.stdout).toBe('');
  expect(good.status).toBe(0);
  const bad = typeCheck('bad.tsx', ['--jsx', 'react-jsx']);
  expect(bad.stdout).toMatch(/bad\.tsx.*'"admin"' is not assignable/s);
});

test('installed into a fresh project, it type-checks under nodenext and loads, registering the element', () => {
  fs.writeFileSync(
    path.join(consumer, 'check.ts'),
    "import { defineLiveKitWaitingRoom, type SessionEndedDetail } from '@autostart/livekit-waiting-room';\nconst reason: SessionEndedDetail['reason'] = 'no-show';\ndefineLiveKitWaitingRoom();\nexport const element: HTMLElementTagNameMap['livekit-waiting-room'] | null = null;\nexport { reason };\n",
  );
  const tsc = typeCheck('check.ts');
  expect(tsc.stdout).toBe('');
  expect(tsc.status).toBe(0);

  const script = "globalThis.HTMLElement = class {}; const defined = []; globalThis.customElements = { get: () => undefined, define: (name) => defined.push(name) }; const widget = await import('@autostart/livekit-waiting-room'); widget.defineLiveKitWaitingRoom(); console.log(JSON.stringify({ defined, controller: typeof widget.WaitingRoomController }));";
  const loaded = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: consumer, encoding: 'utf8' });
  expect(loaded.stderr).toBe('');
  expect(JSON.parse(loaded.stdout)).toEqual({ defined: ['livekit-waiting-room'], controller: 'function' });
});
