// Builds the widget (`npm run build:widget`): the ES module with type declarations
// (dist/widget/index.js + index.d.ts, livekit-client left to the host's bundler) and the
// one-script-tag IIFE (dist/widget/livekit-waiting-room.js, livekit-client inside, registers
// the element), and the Custom Elements Manifest (dist/widget/custom-elements.json, from
// widget/api.ts). Prints raw and gzipped sizes of the script-tag bundle and of the widget's own code.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, stop as stopEsbuild, transform, type Plugin } from 'esbuild';
import { customElementsManifest } from '../widget/manifest';
import { styles } from '../widget/styles';
import { template } from '../widget/template';

const root = path.resolve(__dirname, '..');
const defaultOutDir = path.join(root, 'dist', 'widget');

/**
 * The shadow styles and markup ship minified: esbuild minifies the script but leaves a string's
 * content alone, and the sources keep their comments and indentation for people. The markup
 * loses only line breaks with their indentation (between block or flex items, where they show nothing).
 */
const shippedStrings: Plugin = {
  name: 'widget-shipped-strings',
  setup(plugin) {
    plugin.onLoad({ filter: /[\\/]widget[\\/]styles\.ts$/ }, async () => ({ contents: `export const styles = ${JSON.stringify((await transform(styles, { loader: 'css', minify: true })).code)};`, loader: 'ts' }));
    plugin.onLoad({ filter: /[\\/]widget[\\/]template\.ts$/ }, () => ({ contents: `export const template = ${JSON.stringify(template.replace(/\n\s*/g, ''))};`, loader: 'ts' }));
  },
};

const common = { bundle: true, minify: true, sourcemap: true, target: 'es2020', platform: 'browser', legalComments: 'none' } as const;

export interface BuildWidgetOptions {
  /** Where the outputs go; tests and benchmarks running side by side each pass their own. @defaultValue dist/widget */
  outDir?: string;
  /** Emit the .d.ts files (a tsc run of a few seconds). @defaultValue true */
  declarations?: boolean;
}

/** Builds every output into `outDir` and returns the bundles' and the manifest's paths. */
export async function buildWidget(options: BuildWidgetOptions = {}): Promise<{ bundlePath: string; modulePath: string; manifestPath: string }> {
  const outDir = options.outDir ?? defaultOutDir;
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const modulePath = path.join(outDir, 'index.js');
  const bundlePath = path.join(outDir, 'livekit-waiting-room.js');
  await build({ ...common, entryPoints: [path.join(root, 'widget', 'index.ts')], format: 'esm', outfile: modulePath, external: ['livekit-client'], plugins: [shippedStrings] });
  await build({ ...common, entryPoints: [path.join(root, 'widget', 'bundle.ts')], format: 'iife', globalName: 'LiveKitWaitingRoom', outfile: bundlePath, plugins: [shippedStrings] });
  // esbuild keeps a service process for later builds; a test run must not wait on it.
  await stopEsbuild();
  if (options.declarations ?? true) emitDeclarations(outDir);
  const manifestPath = path.join(outDir, 'custom-elements.json');
  writeFileSync(manifestPath, `${JSON.stringify(customElementsManifest(), null, 2)}\n`);
  return { bundlePath, modulePath, manifestPath };
}

/** tsc over the widget's files only (they import plugin/protocol, so it comes along). */
function emitDeclarations(outDir: string): void {
  const configPath = path.join(outDir, 'tsconfig.declarations.json');
  const config = {
    extends: path.relative(outDir, path.join(root, 'tsconfig.json')),
    compilerOptions: { noEmit: false, declaration: true, emitDeclarationOnly: true, rootDir: root, outDir: path.join(outDir, 'types'), types: [] },
    include: [],
    files: [path.join(root, 'widget', 'index.ts')],
  };
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', configPath], { stdio: 'inherit' });
  rmSync(configPath);
  writeFileSync(path.join(outDir, 'index.d.ts'), "export * from './types/widget/index';\n");
}

function sizeLine(label: string, file: string): string {
  const bytes = readFileSync(file);
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  return `${label}: ${kib(bytes.length)} raw, ${kib(gzipSync(bytes, { level: 9 }).length)} gzipped (${path.relative(root, file)})`;
}

if (require.main === module) {
  buildWidget()
    .then(({ bundlePath, modulePath }) => {
      console.log(sizeLine('script-tag bundle (with livekit-client)', bundlePath));
      console.log(sizeLine('widget code alone (livekit-client external)', modulePath));
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
