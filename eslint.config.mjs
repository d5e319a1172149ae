// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const deepLibImport = {
  group: ['@app/*/*', '**/libs/*/src/**', '../../libs/**', '../../../libs/**'],
  message: 'Import a lib only through its entry point: @app/<lib>.',
};
const otherApp = (self) => ({
  group: [
    '**/apps/**',
    ...['extractor', 'transformer', 'loader', 'wdt-sandbox', 'xingchen-sandbox']
      .filter((a) => a !== self)
      .map((a) => `**/${a}/**`),
  ],
  message: 'An app never imports another app.',
});
const deepAppImport = {
  group: ['**/apps/*/src/*', '!**/apps/*/src/index'],
  message: 'Import an app only through its public entry point: apps/<app>/src (index.ts).',
};
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
const forbid = (names, message) => ({ group: names, message });

const apps = ['extractor', 'transformer', 'loader', 'wdt-sandbox', 'xingchen-sandbox'];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'kafka/.cache/**',
      'coverage/**',
      '**/*.js',
      '**/*.mjs',
      'out/**',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
      'no-console': 'off',
      ...restrict(deepLibImport),
    },
  },
  // Decorator metadata needs the runtime import of injected classes: type-only imports would break DI.
  { files: ['apps/**/*.ts', 'libs/**/*.ts'], rules: { '@typescript-eslint/consistent-type-imports': 'off' } },
  ...apps.map((app) => ({
    files: [`apps/${app}/**/*.ts`],
    rules: restrict(deepLibImport, otherApp(app)),
  })),
  {
    files: ['apps/transformer/**/*.ts'],
    rules: restrict(
      deepLibImport,
      otherApp('transformer'),
      forbid(
        ['@app/persistence', '@app/wdt-client', '@app/xingchen-client', 'typeorm', 'pg', 'node:http', 'http'],
        'The transformer is a pure mapping: no HTTP clients, no database.',
      ),
    ),
  },
  {
    files: ['libs/contracts/**/*.ts'],
    rules: restrict(
      forbid(
        ['@app/*', '@nestjs/*', 'kafkajs', 'typeorm'],
        'contracts is a leaf: no other lib, no Nest, no Kafka, no database.',
      ),
    ),
  },
  {
    files: ['libs/wdt-client/**/*.ts', 'libs/xingchen-client/**/*.ts'],
    rules: restrict(
      deepLibImport,
      forbid(
        ['@app/kafka', '@app/persistence', 'kafkajs', 'typeorm', 'pg'],
        'API clients know nothing of Kafka or the database.',
      ),
    ),
  },
  {
    files: ['libs/mapping/**/*.ts'],
    rules: restrict(
      deepLibImport,
      forbid(
        [
          '@nestjs/*',
          'kafkajs',
          'typeorm',
          'pg',
          'node:http',
          'http',
          '@app/kafka',
          '@app/persistence',
          '@app/observability',
        ],
        'mapping is pure: no Nest, no Kafka, no database, no HTTP (only loadMappingFile reads a file).',
      ),
    ),
  },
  {
    files: ['libs/kafka/**/*.ts'],
    rules: restrict(
      deepLibImport,
      forbid(
        ['@app/persistence', '@app/wdt-client', '@app/xingchen-client', 'typeorm', 'pg'],
        'kafka knows no client or repository.',
      ),
    ),
  },
  {
    files: ['libs/reconciliation/**/*.ts'],
    rules: restrict(
      deepLibImport,
      forbid(
        ['@nestjs/*', 'kafkajs', 'typeorm', 'pg', 'node:http', 'http', '@app/kafka', '@app/persistence'],
        'reconciliation is pure: its callers fetch the data.',
      ),
    ),
  },
  {
    files: ['libs/runtime/**/*.ts'],
    rules: restrict(
      forbid(
        ['@app/*', '@nestjs/*', 'kafkajs', 'typeorm', 'pg', 'rxjs'],
        'runtime holds small mechanisms and depends on nothing but node.',
      ),
    ),
  },
  {
    files: ['libs/replay/**/*.ts'],
    rules: restrict(
      deepLibImport,
      forbid(
        ['@app/persistence', '@app/wdt-client', '@app/xingchen-client', 'typeorm', 'pg'],
        'replay is Kafka only: the ledger makes it safe, not a database look-up.',
      ),
    ),
  },
  // The suites and tools outside apps/ reach an app only through apps/<app>/src/index.ts.
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'chaos/**/*.ts'],
    rules: restrict(deepLibImport, deepAppImport),
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'libs/testing/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
