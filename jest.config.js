/** One run, five projects; DynamoDB Local is started once for the whole run by the global setup. */
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
});

module.exports = {
  projects: ['unit', 'integration', 'e2e', 'infra', 'security'].map(project),
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  maxWorkers: 2,
  testTimeout: 30000,
};
