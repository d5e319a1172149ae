/**
 * Entry point of the compiled extractor: `node dist/apps/extractor/main.js`. Plain `tsc` keeps the
 * `@app/<lib>` imports as they are, so they are resolved here to the compiled `libs/<lib>/src`.
 */
import Module from 'node:module';
import { join } from 'node:path';

const moduleWithResolver = Module as unknown as {
  _resolveFilename: (request: string, ...rest: unknown[]) => string;
};
const resolve = moduleWithResolver._resolveFilename;
moduleWithResolver._resolveFilename = (request: string, ...rest: unknown[]) => {
  const lib = /^@app\/([a-z-]+)$/.exec(request);
  return resolve(lib ? join(__dirname, '..', '..', 'libs', lib[1], 'src') : request, ...rest);
};

void import('./src/main');
