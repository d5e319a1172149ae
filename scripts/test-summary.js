'use strict';
// Adds up jest's JSON results and prints the closing line `N passed, N failed`.
const fs = require('node:fs');
let passed = 0;
let failed = 0;
let skipped = 0;
let broken = 0;
for (const file of process.argv.slice(2)) {
  if (!fs.existsSync(file)) {
    console.error(`test-summary: ${file} missing (jest did not finish)`);
    broken++;
    continue;
  }
  const result = JSON.parse(fs.readFileSync(file, 'utf8'));
  passed += result.numPassedTests;
  failed += result.numFailedTests;
  skipped += result.numPendingTests + result.numTodoTests;
  broken += result.numRuntimeErrorTestSuites;
  for (const suite of result.testResults) {
    if (suite.status === 'failed') console.error(`FAILED: ${suite.name}${suite.message ? '' : ''}`);
  }
}
if (broken > 0) console.error(`${broken} test suite(s) failed to run`);
console.log(`${passed} passed, ${failed + broken} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed + broken > 0 || passed === 0 ? 1 : 0);
