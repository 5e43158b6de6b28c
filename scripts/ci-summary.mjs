// Sums jest's --json reports into the one closing line CI reads: `N passed, N failed, N skipped`.
//
//   node scripts/ci-summary.mjs [--specs <dir>]... [--failed <step>]... <report.json>...
//
// Only tests that ran and passed count as passed. Each of these counts as one failure, with a line
// saying why:
// - a report that is missing (its run crashed or never started), unreadable, or lists no suites;
// - a suite that failed without a failing test (it failed to load, or had no tests);
// - a report that says the run failed when none of its tests did (e.g. an obsolete snapshot);
// - with --specs <dir>: a spec file under <dir> that no report ran (a project that was skipped,
//   a folder missing from jest's testMatch). `fixtures` and `node_modules` folders are not searched;
// - each --failed <step>: a CI step without a jest report that failed (e.g. `npm run lint`).
// Skipped, pending and todo tests are counted as skipped: visible, not failures.
// Exits 1 when anything failed.
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const SPEC_FILE = /\.spec\.[cm]?[jt]sx?$/;
const NOT_SEARCHED = new Set(['fixtures', 'node_modules']);

function parseArgs(argv) {
  const specDirs = [];
  const failedSteps = [];
  const reports = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--specs') {
      if (i + 1 >= argv.length) throw new Error('--specs needs a directory');
      specDirs.push(argv[++i]);
    } else if (argv[i] === '--failed') {
      if (i + 1 >= argv.length) throw new Error('--failed needs a step name');
      failedSteps.push(argv[++i]);
    } else {
      reports.push(argv[i]);
    }
  }
  return { specDirs, failedSteps, reports };
}

/** The real, absolute path (so that a report's paths and the disk's compare equal through symlinks). */
function canonical(path) {
  const absolute = resolve(path);
  return existsSync(absolute) ? realpathSync(absolute) : absolute;
}

function specFilesUnder(dir) {
  const found = [];
  const walk = (current) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!NOT_SEARCHED.has(entry.name) && !entry.name.startsWith('.')) walk(join(current, entry.name));
      } else if (SPEC_FILE.test(entry.name)) {
        found.push(canonical(join(current, entry.name)));
      }
    }
  };
  walk(dir);
  return found;
}

function readReport(file) {
  if (!existsSync(file)) return { problem: `no report at ${file} (the run crashed or did not start)` };
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return { problem: `report ${file} is not valid JSON (${error.message})` };
  }
  if (!report || !Array.isArray(report.testResults)) return { problem: `report ${file} has no testResults` };
  if (report.testResults.length === 0) return { problem: `report ${file} lists no test suites` };
  return { report };
}

function summarize({ specDirs, failedSteps, reports }) {
  const problems = failedSteps.map((step) => `${step} failed`);
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const ran = new Set();
  if (reports.length === 0) problems.push('no report given');

  for (const file of reports) {
    const { report, problem } = readReport(file);
    if (problem) {
      problems.push(problem);
      continue;
    }
    const failedBefore = failed + problems.length;
    for (const suite of report.testResults) {
      const name = typeof suite.name === 'string' ? suite.name : '(unnamed suite)';
      ran.add(canonical(name));
      const results = Array.isArray(suite.assertionResults) ? suite.assertionResults : [];
      let suiteFailures = 0;
      for (const test of results) {
        if (test.status === 'passed') passed++;
        else if (test.status === 'failed') suiteFailures++;
        else skipped++; // pending, skipped, todo, disabled, focused-out
      }
      failed += suiteFailures;
      if (suiteFailures === 0 && (suite.status === 'failed' || suite.testExecError)) {
        const firstLine = String(suite.testExecError?.message ?? suite.message ?? suite.failureMessage ?? '')
          .split('\n')
          .map((line) => line.trim())
          .find((line) => line && !/^●/.test(line));
        problems.push(`suite ${relative(process.cwd(), name)} failed to run${firstLine ? `: ${firstLine}` : ''}`);
      }
    }
    if (report.success === false && failed + problems.length === failedBefore) {
      problems.push(`report ${file} says the run failed, with no failed test or suite (snapshots, open handles, interruption?)`);
    }
  }

  for (const dir of specDirs) {
    if (!existsSync(dir)) {
      problems.push(`spec directory ${dir} does not exist`);
      continue;
    }
    for (const spec of specFilesUnder(dir)) {
      if (!ran.has(spec)) problems.push(`${relative(process.cwd(), spec)} did not run (in no report)`);
    }
  }

  failed += problems.length;
  return { passed, failed, skipped, problems };
}

let summary;
try {
  summary = summarize(parseArgs(process.argv.slice(2)));
} catch (error) {
  console.log(`ci-summary: ${error.message}`);
  summary = { passed: 0, failed: 1, skipped: 0, problems: [] };
}
for (const problem of summary.problems) console.log(`counted as failed: ${problem}`);
console.log(`${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`);
process.exit(summary.failed > 0 ? 1 : 0);
