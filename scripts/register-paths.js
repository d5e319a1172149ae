'use strict';
// Resolves `@app/<lib>` imports at run time: to the compiled libs under dist/ (services, CLIs) or
// to the TypeScript sources (jest's globalSetup, which runs outside jest's module mapping).
const Module = require('node:module');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
let registered = false;

function register(mode = 'dist') {
  if (registered) return;
  registered = true;
  const base = mode === 'dist' ? path.join(root, 'dist', 'libs') : path.join(root, 'libs');
  const original = Module._resolveFilename;
  Module._resolveFilename = function resolveAppAlias(request, parent, ...rest) {
    const match = /^@app\/([a-z-]+)$/.exec(request);
    return original.call(this, match ? path.join(base, match[1], 'src') : request, parent, ...rest);
  };
}

module.exports = { register };
