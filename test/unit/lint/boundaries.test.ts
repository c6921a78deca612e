// The boundaries between the rooms are the lint's to enforce (eslint.config.mjs): each rule is
// shown failing on a small file that crosses it, and passing on one that keeps to its room. The
// files are linted in memory under a path in the room; nothing is written.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

/**
 * Lints each file with ESLint's Node API and the repository's own config. In a child process:
 * ESLint loads eslint.config.mjs with a dynamic import, which Jest's module sandbox refuses.
 */
function lint(files: { filePath: string; code: string }[]): { ruleId: string | null; message: string }[][] {
  const script = `
    import { ESLint } from 'eslint';
    const files = JSON.parse(process.argv[1]);
    const eslint = new ESLint({ cwd: process.cwd() });
    const results = [];
    for (const { filePath, code } of files) {
      const [result] = await eslint.lintText(code, { filePath });
      results.push(result.messages.map(({ ruleId, message }) => ({ ruleId, message })));
    }
    process.stdout.write(JSON.stringify(results));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(files)], { cwd: ROOT, encoding: 'utf8' }));
}

const PROBES = {
  pluginCrossing: {
    filePath: 'plugin/boundaryProbe.ts',
    code: [
      "import { ServiceError } from '../webhook-service/errors';",
      "import type { Phase } from '../widget/sessionState';",
      "import { z } from 'zod';",
      "import { readFile } from 'node:fs/promises';",
      'export const all = [ServiceError, z, readFile] as const;',
      'export type State = Phase;',
    ].join('\n'),
  },
  pluginClean: { filePath: 'plugin/boundaryProbe.ts', code: "export { decide } from './session';\n" },
  useCaseCrossing: {
    filePath: 'webhook-service/usecases/boundaryProbe.ts',
    code: [
      "import { MongoSessionStore } from '../store/MongoSessionStore';",
      "import type { Redis } from '../redis/connections';",
      "import { ERROR_STATUS } from '../http/errorStatus';",
      "import { Queue } from 'bullmq';",
      'export const all = [MongoSessionStore, ERROR_STATUS, Queue] as const;',
      'export type Connection = Redis;',
    ].join('\n'),
  },
  portCrossing: {
    filePath: 'webhook-service/usecases/ports/BoundaryProbe.ts',
    code: "import type { LiveKitRoomGateway } from '../../livekit/LiveKitRoomGateway';\nexport type Gateway = LiveKitRoomGateway;\n",
  },
  useCaseClean: {
    filePath: 'webhook-service/usecases/boundaryProbe.ts',
    code: [
      "import { decide } from '../../plugin';",
      "import { ServiceError } from '../errors';",
      "import type { Clock } from './ports/Clock';",
      'export const now = (clock: Clock): number => clock.now();',
      'export const core = [decide, ServiceError] as const;',
    ].join('\n'),
  },
  widgetCrossing: {
    filePath: 'widget/boundaryProbe.ts',
    code: "import type { SessionView } from '../webhook-service/usecases/sessionView';\nexport type View = SessionView;\n",
  },
  widgetClean: {
    filePath: 'widget/boundaryProbe.ts',
    code: "import { Room } from 'livekit-client';\nimport { TOPIC } from '../plugin/protocol';\nexport const parts = [Room, TOPIC] as const;\n",
  },
};
type Probe = keyof typeof PROBES;

let linted = {} as Record<Probe, { ruleId: string | null; message: string }[]>;
beforeAll(() => {
  const names = Object.keys(PROBES) as Probe[];
  const results = lint(names.map((name) => PROBES[name]));
  linted = Object.fromEntries(names.map((name, index) => [name, results[index] ?? []])) as typeof linted;
}, 60_000);

const restrictedImports = (name: Probe): string[] => linted[name].filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
const allMessages = (name: Probe): string[] => linted[name].map((message) => `${message.ruleId}: ${message.message}`);

describe('the pure core (plugin/)', () => {
  test('when it imports the service, the widget, a package or a Node built-in, then lint fails', () => {
    const errors = restrictedImports('pluginCrossing');
    expect(errors).toHaveLength(4);
    expect(errors[0]).toMatch(/plugin\/ is the pure core: it imports nothing outside plugin\//);
    expect(errors[1]).toMatch(/it imports nothing outside plugin\//);
    expect(errors[2]).toMatch(/no packages, no Node built-ins/);
    expect(errors[3]).toMatch(/no packages, no Node built-ins/);
  });

  test('when it imports its own files only, then lint passes', () => {
    expect(allMessages('pluginClean')).toEqual([]);
  });
});

describe('the use cases (webhook-service/usecases/)', () => {
  test('when a use case imports an adapter (even a type) or an adapter package, then lint fails', () => {
    const errors = restrictedImports('useCaseCrossing');
    expect(errors).toHaveLength(4);
    expect(errors.slice(0, 3)).toEqual(Array(3).fill(expect.stringMatching(/use cases import ports \(usecases\/ports\/\), never adapters/)));
    expect(errors[3]).toMatch(/never the packages adapters are made of/);
  });

  test('when a port imports an adapter, then lint fails', () => {
    expect(restrictedImports('portCrossing')).toEqual([expect.stringMatching(/never adapters/)]);
  });

  test('when a use case imports ports, the core and the shared errors, then lint passes', () => {
    expect(allMessages('useCaseClean')).toEqual([]);
  });
});

describe('the widget (widget/)', () => {
  test('when it imports anything of the service, then lint fails', () => {
    expect(restrictedImports('widgetCrossing')).toEqual([expect.stringMatching(/the widget runs in the browser and imports nothing of the service/)]);
  });

  test('when it imports the shared protocol and livekit-client, then lint passes', () => {
    expect(allMessages('widgetClean')).toEqual([]);
  });
});
