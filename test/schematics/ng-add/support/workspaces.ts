import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { angularWorkspace } from '../../support/angular-workspace';
import { cacheRoot, cachedPackageDir } from '../../../../scripts/lib/toolchain';
import { WorkspaceFiles, readFolder, treeFiles } from './tree-files';

/** Where generated release workspaces are cached between test runs. */
export const WORKSPACE_CACHE = join(cacheRoot(), 'schematic-workspaces');

const repoRoot = join(__dirname, '../../../..');

/** Angular releases whose own schematics generate test workspaces (npm-aliased devDependencies). */
export type Release = 17 | 18 | 19 | 20 | 22;

/**
 * Releases installed into the test cache on first use instead of as devDependencies: 22's packages
 * ask for Node 22 in `engines`, so a devDependency would make `npm ci` warn EBADENGINE on Node 20
 * (its schematics run fine on Node 20).
 */
const CACHED_RELEASES: Partial<Record<Release, string>> = { 22: '22.2.7' };

function releasePackageDir(release: Release): string {
  const cached = CACHED_RELEASES[release];
  if (cached) return cachedPackageDir('@schematics/angular', cached);
  return dirname(require.resolve(`@schematics/angular-v${release}/package.json`, { paths: [repoRoot] }));
}

/**
 * What `ng new demo --ssr` generates with release `release`'s own `@schematics/angular` (run in a
 * child process with that release's devkit), cached per release version and options.
 */
export function releaseWorkspace(release: Release, options: Record<string, unknown> = {}): WorkspaceFiles {
  const packageDir = releasePackageDir(release);
  const version = (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
  const ngNewOptions = { name: 'demo', version, ssr: true, ...options };
  const key = createHash('sha256').update(JSON.stringify(ngNewOptions)).digest('hex').slice(0, 12);
  const folder = join(WORKSPACE_CACHE, `v${version}-${key}`);
  if (!existsSync(folder)) {
    const partial = `${folder}.tmp-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    execFileSync(process.execPath, [join(__dirname, 'generate-release-workspace.cjs'), packageDir, partial, JSON.stringify(ngNewOptions)], {
      stdio: 'pipe',
    });
    // Atomic publish, so a run interrupted mid-generation never leaves half a workspace in the cache.
    if (!existsSync(folder)) renameSync(partial, folder);
    else rmSync(partial, { recursive: true, force: true });
  }
  return readFolder(folder);
}

/** The devDependency release (21.x) with an application `demo`, as files. */
export async function currentWorkspace(options: { standalone: boolean; ssr?: boolean }): Promise<WorkspaceFiles> {
  return treeFiles(await angularWorkspace({ app: 'demo', ...options }));
}

/** A copy of `files` whose server file is replaced by test/fixtures/server-ts/<fixture>.server.ts. */
export function withServerFixture(files: WorkspaceFiles, serverEntry: string, fixture: string): WorkspaceFiles {
  const content = readFileSync(join(repoRoot, 'test/fixtures/server-ts', `${fixture}.server.ts`));
  if (!files.has(serverEntry)) throw new Error(`${serverEntry} is not in the workspace`);
  return new Map(files).set(serverEntry, content);
}
