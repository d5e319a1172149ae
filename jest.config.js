/** Unit tests live next to the code (*.spec.ts); integration, e2e, deploy and fault suites under test/. */
const moduleNameMapper = { '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src' };
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
        keepClassNames: true,
      },
      module: { type: 'commonjs' },
    },
  ],
};
const common = {
  moduleNameMapper,
  transform,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/apps/**/*.spec.ts',
        '<rootDir>/libs/**/*.spec.ts',
        '<rootDir>/scripts/**/*.spec.ts',
      ],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/timeouts.integration.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/timeouts.e2e.ts'],
    },
    {
      ...common,
      displayName: 'deploy',
      testMatch: ['<rootDir>/test/deploy/**/*.spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/timeouts.integration.ts'],
    },
    {
      // stops and restarts the shared broker: run alone (`jest --selectProjects fault --runInBand`)
      ...common,
      displayName: 'fault',
      testMatch: ['<rootDir>/test/fault/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/timeouts.e2e.ts'],
    },
  ],
};
