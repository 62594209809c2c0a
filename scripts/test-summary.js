// Sums the counts the Jest results reporter wrote into DIR and prints one
// plain line: "N passed, N failed, N skipped" (scripts/ci.sh ends with it).
const fs = require('node:fs');
const path = require('node:path');

const dir = process.argv[2];
const total = { passed: 0, failed: 0, skipped: 0, failedSuites: 0, runs: 0 };
for (const file of dir && fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
  if (!file.endsWith('.json')) continue;
  const counts = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  total.passed += counts.passed;
  total.failed += counts.failed;
  total.skipped += counts.skipped;
  total.failedSuites += counts.failedSuites;
  total.runs += 1;
}
let line = `${total.passed} passed, ${total.failed} failed`;
if (total.skipped > 0) line += `, ${total.skipped} skipped`;
if (total.failedSuites > 0) line += ` (${total.failedSuites} test files failed, in ${total.runs} Jest runs)`;
process.stdout.write(`${line}\n`);
