/**
 * `node dist/apps/xingchen-sandbox/main.js`: the standalone sandbox from the compiled build
 * (resolves `@app/*` to dist/libs, then runs src/main). Same as `node scripts/start.js xingchen-sandbox`.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { join } from 'node:path';

const registerPaths = require(join(__dirname, '..', '..', '..', 'scripts', 'register-paths')) as {
  register(mode: string): void;
};
registerPaths.register('dist');
require('./src/main');
