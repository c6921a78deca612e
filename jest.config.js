// Jest runs three projects: unit (pure logic, no services), integration (the real local stack)
// and e2e (the stack, the service as its own process, and Debian's Chromium). The stack starts once per jest
// process, only when a project that needs it has tests selected. `npm test` (scripts/test.mjs) runs two jest
// processes at once, unit + integration and e2e, so each has a stack of its own.
const transform = {
  '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
};
const common = { transform, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  testTimeout: 30000,
  // No forceExit: every project's jest process exits by itself once its teardown stopped the
  // stack. One that does not points at a handle a test or the code left open; find it with
  // `npx jest <file> --detectOpenHandles`.
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      setupFiles: ['<rootDir>/test/support/rtcClientLogs.ts'],
      globalSetup: '<rootDir>/test/support/globalSetup.ts',
      globalTeardown: '<rootDir>/test/support/globalTeardown.ts',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      setupFiles: ['<rootDir>/test/support/rtcClientLogs.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/e2eRetry.ts'],
      globalSetup: '<rootDir>/test/support/e2eGlobalSetup.ts',
      globalTeardown: '<rootDir>/test/support/e2eGlobalTeardown.ts',
    },
  ],
};
