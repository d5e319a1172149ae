#!/usr/bin/env node
'use strict';
// Starts one erpsync service from the compiled build: `node scripts/start.js <service> [args…]`
// (or SERVICE=<service>). Services: extractor, transformer, loader, console (the operators' web
// console), wdt-sandbox, xingchen-sandbox; `cli` is the ops command line (demo, replay, resync,
// reconcile, migrate).
const fs = require('node:fs');
const path = require('node:path');
require('./register-paths').register('dist');

const services = ['extractor', 'transformer', 'loader', 'console', 'wdt-sandbox', 'xingchen-sandbox', 'cli'];
const args = process.argv.slice(2);
const service = services.includes(args[0]) ? args.shift() : process.env.SERVICE;
if (!service || !services.includes(service)) {
  process.stderr.write(`usage: node scripts/start.js <${services.join('|')}> [args…] (or SERVICE=…)\n`);
  process.exit(2);
}
const entry = path.resolve(__dirname, '..', 'dist', 'apps', service, 'src', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write(`${entry} is missing: run \`npm run build\` first\n`);
  process.exit(2);
}
process.argv = [process.argv[0], entry, ...args];
require(entry);
