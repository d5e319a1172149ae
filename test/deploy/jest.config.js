// Deployment-artefact tests (no Docker engine, no cluster; promtool/prometheus from Debian's
// "prometheus" package, kubectl optional): TZ=UTC npx jest -c test/deploy/jest.config.js
const path = require('node:path');
const root = require('../../jest.config.js');
const unit = root.projects.find((project) => project.displayName === 'unit');

module.exports = {
  rootDir: path.resolve(__dirname, '../..'),
  projects: [
    {
      ...unit,
      rootDir: path.resolve(__dirname, '../..'),
      displayName: 'deploy',
      testMatch: ['<rootDir>/test/deploy/**/*.spec.ts'],
    },
  ],
  testTimeout: 60000,
};
