// Builds the three faces of the package:
// - runtime/    -> dist/runtime (ESM + .d.ts; bundled into the app's server.mjs by the Angular build)
// - schematics/ -> dist/schematics (CommonJS; run by the Angular CLI)
// - builders/   -> dist/builders (CommonJS; run by Architect)
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

// dist/ is not wiped here: several builds may run at once in one work tree (npm run clean does it).
for (const project of ['tsconfig.runtime.json', 'tsconfig.cjs.json']) {
  execFileSync(process.execPath, [tsc, '-p', join(root, project)], { stdio: 'inherit', cwd: root });
}
// The package itself is CommonJS (schematics, builders); the runtime folder is marked ESM.
mkdirSync(join(root, 'dist/runtime'), { recursive: true });
writeFileSync(join(root, 'dist/runtime/package.json'), JSON.stringify({ type: 'module' }, null, 2) + '\n');
