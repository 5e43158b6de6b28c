// Sums jest's --json reports into the one closing line CI reads: `N passed, N failed`.
// A report that is missing (its run crashed before writing it) counts as one failure.
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    if (!(file.includes('e2e') && process.env.SKIP_E2E === '1')) {
      console.log(`no report at ${file}: counted as a failure`);
      failed += 1;
    }
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  // A suite that failed to load has no failed tests of its own: count it.
  failed += report.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
