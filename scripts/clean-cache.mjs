#!/usr/bin/env node
// `npm run clean:cache`: deletes the folder where the tests, `npm run demo` and `npm run bench`
// keep generated Angular apps, their node_modules, package-manager stores and extra Node runtimes
// (about 1-3 GB after a full `npm run e2e`): `$NG_ISR_CACHE_DIR`, else `~/.cache/ng-isr`.
// Everything in it is re-created on the next run (which then takes longer).
//
//   npm run clean:cache                 delete it
//   npm run clean:cache -- --dry-run    only say where it is and how big it is
import { existsSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const { cacheRoot } = createRequire(import.meta.url)('./lib/toolchain.js');
const dir = cacheRoot();
const dryRun = process.argv.includes('--dry-run');

if (!existsSync(dir)) {
  console.log(`nothing to delete: ${dir} does not exist`);
  process.exit(0);
}
const du = spawnSync('du', ['-sh', dir], { encoding: 'utf8' });
const size = du.status === 0 ? du.stdout.split('\t')[0] : 'unknown size';
if (dryRun) {
  console.log(`${dir}: ${size} (--dry-run: nothing deleted)`);
} else {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  console.log(`deleted ${dir} (${size})`);
}
