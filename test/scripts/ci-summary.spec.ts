// scripts/ci-summary.mjs, run as CI runs it (a child process) on crafted jest --json reports.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const script = join(__dirname, '../../scripts/ci-summary.mjs');

type Status = 'passed' | 'failed' | 'pending' | 'todo' | 'skipped' | 'disabled';

interface SuiteSpec {
  /** Spec path relative to the temporary project. */
  file: string;
  tests?: Status[];
  /** The suite failed before any test ran (a compile or import error). */
  loadError?: string;
}

let dir: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'ci-summary-')));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A report shaped like jest's --json output (the fields the summary reads, plus the usual totals). */
function report(suites: SuiteSpec[], extra: Record<string, unknown> = {}): object {
  const testResults = suites.map((suite) => ({
    name: join(dir, suite.file),
    status: suite.loadError || suite.tests?.includes('failed') ? 'failed' : 'passed',
    message: suite.loadError ? `  ● Test suite failed to run\n\n    ${suite.loadError}\n` : '',
    ...(suite.loadError ? { testExecError: { message: suite.loadError } } : {}),
    assertionResults: (suite.tests ?? []).map((status, i) => ({ title: `test ${i}`, fullName: `test ${i}`, status, failureMessages: [] })),
  }));
  const all = suites.flatMap((suite) => suite.tests ?? []);
  const count = (status: Status) => all.filter((s) => s === status).length;
  const failedSuites = testResults.filter((suite) => suite.status === 'failed').length;
  return {
    numTotalTestSuites: suites.length,
    numFailedTestSuites: failedSuites,
    numRuntimeErrorTestSuites: suites.filter((suite) => suite.loadError).length,
    numTotalTests: all.length,
    numPassedTests: count('passed'),
    numFailedTests: count('failed'),
    numPendingTests: count('pending') + count('skipped') + count('disabled'),
    numTodoTests: count('todo'),
    success: failedSuites === 0,
    testResults,
    ...extra,
  };
}

function write(name: string, content: object | string): string {
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** Creates empty spec files on disk (what --specs compares the reports with). */
function specs(...files: string[]): void {
  for (const file of files) write(file, '');
}

function summary(...args: string[]): { status: number | null; lines: string[]; last: string } {
  const run = spawnSync(process.execPath, [script, ...args], { cwd: dir, encoding: 'utf8' });
  const lines = run.stdout.trimEnd().split('\n');
  return { status: run.status, lines, last: lines[lines.length - 1] };
}

describe('scripts/ci-summary.mjs', () => {
  it('sums passed tests of every report and exits 0 when nothing failed', () => {
    specs('test/a.spec.ts', 'test/b.spec.ts', 'test/e2e/c.spec.ts');
    write(
      'unit.json',
      report([
        { file: 'test/a.spec.ts', tests: ['passed', 'passed'] },
        { file: 'test/b.spec.ts', tests: ['passed'] },
      ]),
    );
    write('e2e.json', report([{ file: 'test/e2e/c.spec.ts', tests: ['passed'] }]));
    const result = summary('--specs', 'test', 'unit.json', 'e2e.json');
    expect(result.lines).toEqual(['4 passed, 0 failed, 0 skipped']);
    expect(result.status).toBe(0);
  });

  it('counts failed tests and exits 1', () => {
    write('unit.json', report([{ file: 'test/a.spec.ts', tests: ['passed', 'failed', 'failed'] }]));
    const result = summary('unit.json');
    expect(result.last).toBe('1 passed, 2 failed, 0 skipped');
    expect(result.status).toBe(1);
  });

  it('counts skipped, pending, todo and disabled tests as skipped, not as passed or failed', () => {
    write('unit.json', report([{ file: 'test/a.spec.ts', tests: ['passed', 'pending', 'todo', 'skipped', 'disabled'] }]));
    const result = summary('unit.json');
    expect(result.last).toBe('1 passed, 0 failed, 4 skipped');
    expect(result.status).toBe(0);
  });

  it('counts a missing report as a failure (a crashed or skipped run)', () => {
    write('unit.json', report([{ file: 'test/a.spec.ts', tests: ['passed'] }]));
    const result = summary('unit.json', 'e2e.json');
    expect(result.lines).toEqual([expect.stringMatching(/^counted as failed: no report at e2e\.json/), '1 passed, 1 failed, 0 skipped']);
    expect(result.status).toBe(1);
  });

  it('counts a missing report as a failure even when SKIP_E2E=1 is set', () => {
    write('unit.json', report([{ file: 'test/a.spec.ts', tests: ['passed'] }]));
    const run = spawnSync(process.execPath, [script, 'unit.json', 'e2e.json'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, SKIP_E2E: '1' },
    });
    expect(run.stdout.trimEnd().split('\n').pop()).toBe('1 passed, 1 failed, 0 skipped');
    expect(run.status).toBe(1);
  });

  it('counts an empty report, an empty file and a report that is not JSON as failures', () => {
    write('empty.json', report([]));
    write('blank.json', '');
    write('truncated.json', '{"numPassedTests": 3, "testRes');
    const result = summary('empty.json', 'blank.json', 'truncated.json');
    expect(result.lines).toEqual([
      'counted as failed: report empty.json lists no test suites',
      expect.stringMatching(/^counted as failed: report blank\.json is not valid JSON/),
      expect.stringMatching(/^counted as failed: report truncated\.json is not valid JSON/),
      '0 passed, 3 failed, 0 skipped',
    ]);
    expect(result.status).toBe(1);
  });

  it('counts a suite that failed to load as a failure and says why', () => {
    write(
      'unit.json',
      report([
        { file: 'test/a.spec.ts', tests: ['passed'] },
        { file: 'test/broken.spec.ts', loadError: "Cannot find module './gone'" },
      ]),
    );
    const result = summary('unit.json');
    expect(result.lines).toEqual([
      "counted as failed: suite test/broken.spec.ts failed to run: Cannot find module './gone'",
      '1 passed, 1 failed, 0 skipped',
    ]);
    expect(result.status).toBe(1);
  });

  it('does not count a suite twice when its own tests failed', () => {
    write('unit.json', report([{ file: 'test/a.spec.ts', tests: ['failed', 'passed'] }]));
    expect(summary('unit.json').lines).toEqual(['1 passed, 1 failed, 0 skipped']);
  });

  it('counts a report that says the run failed without any failed test (e.g. obsolete snapshots)', () => {
    write('unit.json', report([{ file: 'test/a.spec.ts', tests: ['passed'] }], { success: false }));
    const result = summary('unit.json');
    expect(result.last).toBe('1 passed, 1 failed, 0 skipped');
    expect(result.lines[0]).toMatch(/report unit\.json says the run failed/);
  });

  it('with --specs, counts each spec file on disk that no report ran', () => {
    specs('test/a.spec.ts', 'test/new-folder/d.spec.ts', 'test/e2e/c.spec.ts', 'test/helper.ts');
    write('unit.json', report([{ file: 'test/a.spec.ts', tests: ['passed'] }]));
    const result = summary('--specs', 'test', 'unit.json');
    expect(result.lines).toEqual([
      'counted as failed: test/e2e/c.spec.ts did not run (in no report)',
      'counted as failed: test/new-folder/d.spec.ts did not run (in no report)',
      '1 passed, 2 failed, 0 skipped',
    ]);
    expect(result.status).toBe(1);
  });

  it('with --specs, ignores spec files inside fixtures and node_modules folders', () => {
    specs('test/a.spec.ts', 'test/fixtures/app/src/app.spec.ts', 'test/x/node_modules/pkg/p.spec.ts');
    write('unit.json', report([{ file: 'test/a.spec.ts', tests: ['passed'] }]));
    expect(summary('--specs', 'test', 'unit.json').lines).toEqual(['1 passed, 0 failed, 0 skipped']);
  });

  it('counts a --specs directory that does not exist as a failure', () => {
    write('unit.json', report([{ file: 'test/a.spec.ts', tests: ['passed'] }]));
    const result = summary('--specs', 'tests', 'unit.json');
    expect(result.lines).toEqual(['counted as failed: spec directory tests does not exist', '1 passed, 1 failed, 0 skipped']);
  });

  it('counts each --failed step (a CI step without a jest report, such as lint) as a failure', () => {
    write('unit.json', report([{ file: 'test/a.spec.ts', tests: ['passed'] }]));
    const result = summary('--failed', 'npm run lint', 'unit.json');
    expect(result.lines).toEqual(['counted as failed: npm run lint failed', '1 passed, 1 failed, 0 skipped']);
    expect(result.status).toBe(1);
  });

  it('with no report at all, or bad arguments, reports a failure rather than success', () => {
    expect(summary().lines).toEqual(['counted as failed: no report given', '0 passed, 1 failed, 0 skipped']);
    const result = summary('unit.json', '--specs');
    expect(result.lines).toEqual(['ci-summary: --specs needs a directory', '0 passed, 1 failed, 0 skipped']);
    expect(result.status).toBe(1);
  });
});
