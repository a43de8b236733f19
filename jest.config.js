/** One run, seven projects; DynamoDB Local is started once for the whole run by the global setup. */
const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
// Middy 6, jose 6 and cidr-tools ship ESM only, and the invoke store loads async_hooks by dynamic import:
// let swc turn them into CommonJS for jest.
const transformIgnorePatterns = ['/node_modules/(?!(@middy|jose|@aws/lambda-invoke-store|cidr-tools|ip-bigint)/)'];
const project = (displayName) => ({
  displayName,
  transform,
  transformIgnorePatterns,
  testEnvironment: 'node',
  testMatch: [`<rootDir>/test/${displayName}/**/*.test.ts`],
  // The kit imports zod's English messages by their ESM file (the only path esbuild tree-shakes); jest loads the CommonJS twin.
  moduleNameMapper: { '^zod/v4/locales/en\\.js$': 'zod/v4/locales/en.cjs' },
});

// The reliability suite also runs alone (`npm run test:reliability`), when the run-wide setup above
// starts no database for it: its own setup starts one if none is running.
const reliability = {
  ...project('reliability'),
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/reliability/crash/'],
  globalSetup: '<rootDir>/test/reliability/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/reliability/support/global-teardown.ts',
};
// The crash test starts `npm start`'s runtime twice on a data folder of its own and kills it (about 15 s):
// a project of its own, so `npm run test:crash` can run it alone.
const crash = { ...project('crash'), testMatch: ['<rootDir>/test/reliability/crash/**/*.test.ts'] };

module.exports = {
  projects: [...['unit', 'integration', 'e2e', 'infra', 'security'].map(project), reliability, crash],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  maxWorkers: 2,
  testSequencer: '<rootDir>/test/support/sequencer.cjs',
  // A deadline far above any test's normal time: CI's machine is as busy as a developer's.
  testTimeout: 120000,
};
