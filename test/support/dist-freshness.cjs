// Jest globalSetup: refuse to run the tests against a stale dist/.
//
// The schematic and builder tests load the package the way the Angular CLI does (collection.json ->
// dist/schematics, builders.json -> dist/builders), and the package tests read dist/runtime. Without
// this check, `npx jest` after an edit (no `npm run build`) would test yesterday's build and could
// pass. Building here would cost ~20 s on every run; checking takes a few milliseconds, so this only
// checks: every file the build emits must exist and be newer than its source and than the tsconfig
// files that produced it. (`npm test` and `npm run e2e` build first, so they always pass this.)
const { existsSync, statSync } = require('node:fs');
const { join, relative } = require('node:path');

/** The build's TypeScript projects (scripts/build.mjs). */
const BUILD_PROJECTS = ['tsconfig.runtime.json', 'tsconfig.cjs.json'];

/**
 * Lists what is stale in `root`'s build output: one line per emitted file that is missing or older
 * than its source or than its tsconfig chain. Empty when dist/ is up to date.
 * @param {string} root the package root
 * @param {string[]} projects tsconfig files (relative to root) whose outputs to check
 * @returns {string[]}
 */
function staleOutputs(root, projects = BUILD_PROJECTS) {
  const ts = require('typescript');
  const stale = [];
  for (const project of projects) {
    const configPath = join(root, project);
    const configs = [configPath];
    const host = {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(`${project}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
      },
    };
    const parsed = ts.getParsedCommandLineOfConfigFile(configPath, undefined, host);
    if (!parsed) throw new Error(`${project}: cannot be read`);
    for (const extended of parsed.raw?.extends ? [].concat(parsed.raw.extends) : []) {
      configs.push(join(root, extended.endsWith('.json') ? extended : `${extended}.json`));
    }
    const configTime = Math.max(...configs.filter((file) => existsSync(file)).map((file) => statSync(file).mtimeMs));
    for (const source of parsed.fileNames) {
      if (source.endsWith('.d.ts')) continue;
      const sourceTime = Math.max(statSync(source).mtimeMs, configTime);
      for (const output of ts.getOutputFileNames(parsed, source, !ts.sys.useCaseSensitiveFileNames)) {
        const shown = relative(root, output);
        if (!existsSync(output)) stale.push(`${shown} is missing`);
        else if (statSync(output).mtimeMs < sourceTime) stale.push(`${shown} is older than ${relative(root, source)}`);
      }
    }
  }
  return stale;
}

/** The globalSetup entry point: throws (and so stops jest before any test) when dist/ is stale. */
module.exports = async function checkDistIsFresh() {
  const root = join(__dirname, '..', '..');
  const stale = staleOutputs(root);
  if (stale.length === 0) return;
  const shown = stale.slice(0, 5).map((line) => `  ${line}`);
  if (stale.length > shown.length) shown.push(`  … and ${stale.length - shown.length} more`);
  throw new Error(
    [
      'dist/ is out of date with the sources, so the tests would run against an old build:',
      ...shown,
      'Run `npm run build` first (`npm test` does it for you).',
    ].join('\n'),
  );
};
module.exports.staleOutputs = staleOutputs;
