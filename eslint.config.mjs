// Lint: typescript-eslint's recommended rules over all TypeScript sources, and the boundaries
// between the rooms (docs/architecture.md): dependencies point one way, towards the pure core.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The adapters of the service: the use cases ask for ports and are handed these by the composition root. */
const ADAPTERS = ['http', 'store', 'queue', 'outbox', 'livekit', 'redis', 'limits', 'probe', 'doctor', 'client', 'metrics', 'systemClock', 'config', 'serviceApp', 'resourceStack', 'main'];
/** Packages only adapters talk to. */
const ADAPTER_PACKAGES = ['bullmq', 'ioredis', 'mongoose', 'express', 'livekit-server-sdk', '@livekit/*', 'prom-client'];

/**
 * One `no-restricted-imports` per room (a file sits in one room, so the rules never override
 * each other). Relative paths are matched, as the code imports nothing through aliases; `import
 * type` counts too: a type from an adapter still ties the room to it.
 */
function boundaries() {
  return [
    {
      files: ['plugin/**/*.ts'],
      rules: {
        'no-restricted-imports': ['error', { patterns: [
          { regex: '^\\.\\./', message: 'plugin/ is the pure core: it imports nothing outside plugin/ (not the service, not the widget).' },
          { regex: '^[^.]', message: 'plugin/ is the pure core: no packages, no Node built-ins (no I/O).' },
        ] }],
      },
    },
    {
      files: ['webhook-service/usecases/**/*.ts'],
      rules: {
        'no-restricted-imports': ['error', { patterns: [
          { regex: `^(\\.\\./)+(${ADAPTERS.join('|')})(/|$)`, message: 'use cases import ports (usecases/ports/), never adapters: the composition root injects them.' },
          { group: ADAPTER_PACKAGES, message: 'use cases import ports, never the packages adapters are made of.' },
        ] }],
      },
    },
    {
      files: ['widget/**/*.ts'],
      rules: {
        'no-restricted-imports': ['error', { patterns: [
          { regex: '^(\\.\\./)+webhook-service(/|$)', message: 'the widget runs in the browser and imports nothing of the service (plugin/protocol is what they share).' },
        ] }],
      },
    },
  ];
}

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.stack/', 'artifacts/', 'coverage/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...boundaries(),
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly', URL: 'readonly', setTimeout: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
