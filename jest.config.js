/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Two workers on the two-core machine (jest's default would be one: cores - 1).
  maxWorkers: 2,
  // A passing toBe/toEqual skips building jest's whole matcher object (test/setup/fast-expect.ts).
  // Example apps run once per jest run, shared by the test files that read them (test/run-example.ts).
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  // The CRD schemas precompiled once per jest run, as the build precompiles them (test/setup/precompiled.ts).
  setupFiles: ['<rootDir>/test/setup/precompiled-dir.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/setup/fast-expect.ts'],
  // Each test file compiles again the ~350 modules it loads; V8's code cache of the last file that
  // compiled them spares the parsing (test/setup/code-cache.js).
  runtime: '<rootDir>/test/setup/code-cache-runtime.js',
  transform: {
    '^.+\\.tsx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // The examples import the package by its published name, as an app repo would.
  moduleNameMapper: { '^cdk8s-istio-source-ip$': '<rootDir>/src/index.ts' },
  moduleFileExtensions: ['ts', 'js', 'json', 'node'],
};
