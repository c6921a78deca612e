// `npm run pack:widget`: the widget as an npm package a clinic installs (dist/widget-package, and
// its tarball with --tarball): the ES module with its type declarations (livekit-client a peer
// dependency, left to the clinic's bundler), the script-tag bundle (livekit-client inside; the
// one file with a side effect: it registers the element), the Custom Elements Manifest, React 19
// JSX typings, and an exports map. Declarations get explicit `.js` paths, as Node's ESM
// resolution (and TypeScript's node16/nodenext) requires of a "type": "module" package.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildWidget } from './build-widget';

const root = path.resolve(__dirname, '..');
export const PACKAGE_DIR = path.join(root, 'dist', 'widget-package');
export const PACKAGE_NAME = '@autostart/livekit-waiting-room';

/** `./x` -> `./x.js`, or `./x/index.js` for a folder, in every relative import of the .d.ts files. */
function explicitExtensions(directory: string): void {
  for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
    const file = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      explicitExtensions(file);
      continue;
    }
    if (!entry.name.endsWith('.d.ts')) continue;
    const text = fs.readFileSync(file, 'utf8').replace(/(from |import\()'(\.{1,2}\/[^']+)'/g, (whole, lead: string, specifier: string) => {
      if (specifier.endsWith('.js')) return whole;
      const target = path.resolve(path.dirname(file), specifier);
      if (fs.existsSync(`${target}.d.ts`)) return `${lead}'${specifier}.js'`;
      if (fs.existsSync(path.join(target, 'index.d.ts'))) return `${lead}'${specifier}/index.js'`;
      return whole;
    });
    fs.writeFileSync(file, text);
  }
}

const REACT_TYPES = `// JSX typings for React 19: <livekit-waiting-room participant-role="student" token-url="...">.
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { LiveKitWaitingRoomElement } from './index.js';

type WaitingRoomAttributes = DetailedHTMLProps<HTMLAttributes<LiveKitWaitingRoomElement>, LiveKitWaitingRoomElement> & {
  'token-url'?: string;
  'token-method'?: 'GET' | 'POST';
  token?: string;
  'server-url'?: string;
  'participant-role'?: 'student' | 'counselor';
  lang?: string;
  'end-url'?: string;
  'end-button'?: boolean;
  'screen-share'?: 'counselor' | 'everyone' | 'none';
  chat?: 'on' | 'off';
  [text: \`text-\${string}\`]: string | undefined;
};

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'livekit-waiting-room': WaitingRoomAttributes;
    }
  }
}
`;

const SCRIPT_TYPES = `// The script-tag bundle registers <livekit-waiting-room> when it loads and exposes the API as a global.
export {};
declare global {
  // eslint-disable-next-line no-var
  var LiveKitWaitingRoom: typeof import('./index.js');
}
`;

export async function packWidget(options: { tarball?: boolean } = {}): Promise<{ dir: string; tarball: string | null }> {
  await buildWidget({ outDir: PACKAGE_DIR });
  explicitExtensions(PACKAGE_DIR);
  fs.writeFileSync(path.join(PACKAGE_DIR, 'index.d.ts'), "export * from './types/widget/index.js';\n");
  fs.writeFileSync(path.join(PACKAGE_DIR, 'react.d.ts'), REACT_TYPES);
  fs.writeFileSync(path.join(PACKAGE_DIR, 'react.js'), 'export {};\n');
  fs.writeFileSync(path.join(PACKAGE_DIR, 'script.d.ts'), SCRIPT_TYPES);
  fs.copyFileSync(path.join(root, 'widget', 'README.md'), path.join(PACKAGE_DIR, 'README.md'));
  const own = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
  const manifest = {
    name: PACKAGE_NAME,
    version: own.version,
    description: 'A drop-in waiting room for LiveKit counseling sessions that start by themselves.',
    license: 'UNLICENSED',
    type: 'module',
    exports: {
      '.': { types: './index.d.ts', default: './index.js' },
      './react': { types: './react.d.ts', default: './react.js' },
      './script': { types: './script.d.ts', default: './livekit-waiting-room.js' },
      './custom-elements.json': './custom-elements.json',
      './package.json': './package.json',
    },
    types: './index.d.ts',
    module: './index.js',
    main: './index.js',
    customElements: './custom-elements.json',
    sideEffects: ['./livekit-waiting-room.js'],
    files: ['index.js', 'index.js.map', 'index.d.ts', 'react.js', 'react.d.ts', 'script.d.ts', 'livekit-waiting-room.js', 'livekit-waiting-room.js.map', 'custom-elements.json', 'types'],
    peerDependencies: { 'livekit-client': `^${own.dependencies['livekit-client']}` },
  };
  fs.writeFileSync(path.join(PACKAGE_DIR, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  if (!options.tarball) return { dir: PACKAGE_DIR, tarball: null };
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', path.dirname(PACKAGE_DIR)], { cwd: PACKAGE_DIR, encoding: 'utf8' }).trim().split('\n').at(-1) as string;
  return { dir: PACKAGE_DIR, tarball: path.join(path.dirname(PACKAGE_DIR), name) };
}

if (require.main === module) {
  packWidget({ tarball: process.argv.includes('--tarball') }).then(
    ({ dir, tarball }) => console.log(`widget package: ${path.relative(process.cwd(), tarball ?? dir)}`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
