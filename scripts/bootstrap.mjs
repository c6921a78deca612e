// Bootstrap: puts on this machine what `npm test`, `npm run demo` and `npm run stack` need, and
// nothing when it is already there (a run with everything present takes well under a second).
// Plain Node with no dependencies, because it runs before `npm ci`.
//
//   node_modules       `npm ci` when missing or older than package-lock.json
//   redis-server       apt-get, unless REDIS_URL points at a Redis of your own
//   chromium           apt-get (the e2e suite drives Debian's Chromium)
//   .stack/bin         FerretDB and livekit-server built from the Go modules pinned in tools/,
//                      unless MONGODB_URI / LIVEKIT_URL point at servers of your own; promtool
//                      (Prometheus), which checks the alert rules in deploy/prometheus/
//   .stack/node-lts    the newest supported Node (the image's), from the npm registry's
//                      platform package, for the test that runs the compiled service on it
//   .stack/schemathesis  a Python venv with Schemathesis and its dependencies as pinned in
//                      tools/schemathesis/requirements.txt (the API conformance run)
//
// Each Go binary has a stamp (a hash of its go.mod, go.sum and the build recipe) so that it is
// rebuilt only when a pin changes, not whenever git touches a file's mtime.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const binDir = path.join(root, '.stack', 'bin');
const buildDir = path.join(root, '.stack', 'build');
const started = Date.now();
let didSomething = false;

function say(line) {
  didSomething = true;
  console.log(`bootstrap: ${line}`);
}

function fail(message) {
  console.error(`bootstrap: ${message}`);
  process.exit(1);
}

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) fail(`${cmd} could not start: ${result.error.message}`);
  if (result.status !== 0) fail(`${cmd} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
}

function capture(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { encoding: 'utf8', cwd: root, ...options });
  if (result.error || result.status !== 0) return undefined;
  return result.stdout;
}

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function timed(label, action) {
  const t0 = Date.now();
  say(`${label} ...`);
  action();
  say(`${label} done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

// npm writes node_modules/.package-lock.json on every install, so its age is the install's age.
function ensureNodeModules() {
  const installed = mtime(path.join(root, 'node_modules', '.package-lock.json'));
  const locked = mtime(path.join(root, 'package-lock.json'));
  if (installed !== undefined && locked !== undefined && installed >= locked) return;
  const why = installed === undefined ? 'node_modules missing' : 'package-lock.json is newer than node_modules';
  timed(`npm ci (${why})`, () => run('npm', ['ci', '--no-audit', '--no-fund']));
}

function debianPackageInstalled(name) {
  const status = capture('dpkg-query', ['-W', '-f=${Status}', name]);
  return status !== undefined && status.includes('install ok installed');
}

function ensureDebianPackages() {
  const wanted = [];
  if (!process.env.REDIS_URL) wanted.push('redis-server');
  wanted.push('chromium');
  if (capture('dpkg-query', ['--version']) === undefined) {
    const absent = wanted.filter((name) => capture('which', [name]) === undefined);
    if (absent.length > 0) fail(`not a Debian system: install ${absent.join(', ')} yourself, or set REDIS_URL for your own Redis`);
    return;
  }
  const missing = wanted.filter((name) => !debianPackageInstalled(name));
  if (missing.length === 0) return;
  const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    fail(`missing Debian packages: ${missing.join(', ')}. Run as root:\n  sudo sh -c '${command}'`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  timed(`apt-get install ${missing.join(' ')}`, () => {
    run('apt-get', ['update', '-q'], { env });
    run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env });
  });
}

// FerretDB panics at start unless build/version/version.txt holds its version, a file its
// release tooling generates and the module zip lacks. Newer Go toolchains record the module of
// the main package as the main module, so FerretDB's "embedded use" escape no longer applies.
// We build from a writable copy of the pinned module with that file added, via a replace
// directive in a generated go.mod (-modfile), so the committed pins stay the only source.
function ferretdbBuild(toolDir, goEnv) {
  const info = capture('go', ['mod', 'download', '-json', 'github.com/FerretDB/FerretDB'], { cwd: toolDir, env: goEnv });
  if (info === undefined) fail('go mod download github.com/FerretDB/FerretDB failed');
  const { Dir: moduleDir, Version: version } = JSON.parse(info);
  const source = path.join(buildDir, 'ferretdb-src');
  fs.rmSync(source, { recursive: true, force: true });
  fs.mkdirSync(buildDir, { recursive: true });
  fs.cpSync(moduleDir, source, { recursive: true });
  spawnSync('chmod', ['-R', 'u+w', source]);
  fs.writeFileSync(path.join(source, 'build', 'version', 'version.txt'), `${version}\n`);
  const modfile = path.join(buildDir, 'ferretdb.go.mod');
  const goMod = fs.readFileSync(path.join(toolDir, 'go.mod'), 'utf8');
  fs.writeFileSync(modfile, `${goMod}\nreplace github.com/FerretDB/FerretDB => ${source}\n`);
  fs.copyFileSync(path.join(toolDir, 'go.sum'), modfile.replace(/\.mod$/, '.sum'));
  return [`-modfile=${modfile}`];
}

const goTools = [
  { name: 'ferretdb', dir: 'tools/ferretdb', pkg: 'github.com/FerretDB/FerretDB/cmd/ferretdb', skipEnv: 'MONGODB_URI', extraArgs: ferretdbBuild },
  { name: 'livekit-server', dir: 'tools/livekit', pkg: 'github.com/livekit/livekit-server/cmd/server', skipEnv: 'LIVEKIT_URL' },
  // The alert rules' tests need it whatever servers are used.
  { name: 'promtool', dir: 'tools/promtool', pkg: 'github.com/prometheus/prometheus/cmd/promtool' },
];
// Bump when the build steps change, so that existing binaries are rebuilt.
const recipe = 'go-build-v2';

function stampOf(tool) {
  const hash = createHash('sha256').update(recipe).update(tool.pkg);
  for (const file of ['go.mod', 'go.sum']) hash.update(fs.readFileSync(path.join(root, tool.dir, file)));
  return hash.digest('hex');
}

function ensureGoTools() {
  const needed = goTools.filter((tool) => !tool.skipEnv || !process.env[tool.skipEnv]);
  const stale = needed.filter((tool) => {
    const bin = path.join(binDir, tool.name);
    const stamp = path.join(binDir, `${tool.name}.stamp`);
    if (mtime(bin) === undefined) return true;
    return !fs.existsSync(stamp) || fs.readFileSync(stamp, 'utf8').trim() !== stampOf(tool);
  });
  if (stale.length === 0) return;
  if (capture('go', ['version']) === undefined) {
    const servers = stale.filter((t) => t.skipEnv).map((t) => t.skipEnv);
    fail(`Go is needed to build ${stale.map((t) => t.name).join(' and ')} (Go 1.26 or newer on PATH)${servers.length > 0 ? `, or set ${servers.join(' / ')} to use servers of your own` : ''}`);
  }
  fs.mkdirSync(binDir, { recursive: true });
  for (const tool of stale) {
    const toolDir = path.join(root, tool.dir);
    const goEnv = { ...process.env, GOFLAGS: '-buildvcs=false' };
    timed(`go build ${tool.name} (pinned in ${tool.dir})`, () => {
      const extra = tool.extraArgs ? tool.extraArgs(toolDir, goEnv) : [];
      const out = path.join(binDir, tool.name);
      run('go', ['build', '-trimpath', ...extra, '-o', out, tool.pkg], { cwd: toolDir, env: goEnv });
      fs.writeFileSync(path.join(binDir, `${tool.name}.stamp`), `${stampOf(tool)}\n`);
    });
  }
}

// The newest Node major the service supports (the production image's, the current LTS; keep in
// step with the Dockerfile and test/integration/compiledService.test.ts). Kept out
// of package.json on purpose: a `node` in node_modules/.bin would replace the Node every npm
// script runs. The platform package holds the binary itself, with no install script.
const NEWEST_NODE = '26.10.0';
const nodeLtsDir = path.join(root, '.stack', 'node-lts');

function ensureNewestNode() {
  const platformPackage = `node-${process.platform}-${process.arch}`;
  const stamp = path.join(nodeLtsDir, 'stamp');
  const wanted = `${platformPackage}@${NEWEST_NODE}`;
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === wanted) return;
  timed(`npm install ${wanted} into .stack/node-lts`, () => {
    fs.rmSync(nodeLtsDir, { recursive: true, force: true });
    fs.mkdirSync(nodeLtsDir, { recursive: true });
    run('npm', ['install', '--prefix', nodeLtsDir, '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', wanted]);
    fs.writeFileSync(stamp, `${wanted}\n`);
  });
}

// Schemathesis fuzzes the running service against its OpenAPI document in npm test. It is
// Python: a venv of its own, from PyPI, exactly as pinned (every dependency too), reinstalled
// when the pins or the Python change.
const schemathesisDir = path.join(root, '.stack', 'schemathesis');
const schemathesisPins = path.join(root, 'tools', 'schemathesis', 'requirements.txt');

function ensureSchemathesis() {
  const stamp = path.join(schemathesisDir, 'stamp');
  const wanted = createHash('sha256').update(fs.readFileSync(schemathesisPins)).digest('hex');
  // The venv's python is a link to the Python it was made with: gone or broken when that Python is.
  const venvPython = path.join(schemathesisDir, 'bin', 'python');
  if (fs.existsSync(venvPython) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === wanted) return;
  const python = process.env.PYTHON ?? 'python3';
  const version = capture(python, ['-c', 'import sys, venv; print("%d.%d.%d" % sys.version_info[:3])'])?.trim();
  if (!version) fail('Python 3.11 or newer with venv is needed for the API conformance run (Schemathesis): install it (Debian: apt-get install python3 python3-venv), or set PYTHON to one');
  const [major, minor] = version.split('.').map(Number);
  if (major < 3 || (major === 3 && minor < 11)) fail(`${python} is Python ${version}; Schemathesis needs 3.11 or newer (set PYTHON to one)`);
  timed(`pip install Schemathesis into .stack/schemathesis (Python ${version}, pinned in tools/schemathesis)`, () => {
    fs.rmSync(schemathesisDir, { recursive: true, force: true });
    run(python, ['-m', 'venv', schemathesisDir]);
    run(venvPython, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '-r', schemathesisPins]);
    fs.writeFileSync(stamp, `${wanted}\n`);
  });
}

ensureNodeModules();
ensureDebianPackages();
ensureGoTools();
ensureNewestNode();
ensureSchemathesis();
if (didSomething) say(`ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
