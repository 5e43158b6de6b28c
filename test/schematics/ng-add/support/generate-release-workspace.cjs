// Runs one Angular release's own `ng-new` schematic (the package behind `ng new <name> --ssr`)
// with that release's own @angular-devkit/schematics, and writes the generated files to a folder.
// Run in a child process so each release uses its own devkit copy (and, for releases that need a
// newer Node than the test runner's, under that Node binary).
//
// usage: node generate-release-workspace.cjs <@schematics/angular package dir> <out dir> <ng-new options JSON>
'use strict';

const { mkdirSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

async function main() {
  const [packageDir, outDir, optionsJson] = process.argv.slice(2);
  const options = JSON.parse(optionsJson);
  // Resolve the devkit the release itself depends on (nested under its package), not ours.
  const testing = require(require.resolve('@angular-devkit/schematics/testing', { paths: [packageDir] }));
  const runner = new testing.SchematicTestRunner('@schematics/angular', join(packageDir, 'collection.json'));
  const tree = await runner.runSchematic('ng-new', { skipInstall: true, skipGit: true, ...options });
  const prefix = `/${options.directory ?? options.name}/`;
  let count = 0;
  tree.visit((path) => {
    if (!path.startsWith(prefix)) return;
    const target = join(outDir, path.slice(prefix.length));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, tree.read(path));
    count++;
  });
  if (count === 0) throw new Error(`ng-new produced no files under ${prefix}`);
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(1);
});
