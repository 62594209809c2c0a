// A Jest reporter that records each run's counts, so that `npm test` can end
// with one line summing every Jest run of every project (scripts/ci.sh).
// Inactive unless SITEOPS_TEST_RESULTS_DIR names a directory.
const fs = require('node:fs');
const path = require('node:path');

class ResultsReporter {
  constructor(globalConfig) {
    this.globalConfig = globalConfig;
  }

  onRunComplete(_contexts, results) {
    const dir = process.env.SITEOPS_TEST_RESULTS_DIR;
    if (!dir) return;
    const name = String(this.globalConfig.rootDir ?? 'jest').replace(/[^A-Za-z0-9]+/g, '_').slice(-60);
    const counts = {
      rootDir: this.globalConfig.rootDir,
      passed: results.numPassedTests,
      failed: results.numFailedTests,
      skipped: results.numPendingTests + results.numTodoTests,
      // A suite that fails to load counts no test; it must still count as a failure.
      failedSuites: results.numFailedTestSuites,
      runtimeErrorSuites: results.numRuntimeErrorTestSuites,
    };
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${name}-${process.pid}-${Date.now()}.json`), JSON.stringify(counts));
  }
}

module.exports = ResultsReporter;
