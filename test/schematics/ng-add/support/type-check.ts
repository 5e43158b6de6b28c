import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import * as ts from 'typescript';
import { WorkspaceFiles, writeFiles } from './tree-files';
import { WORKSPACE_CACHE } from './workspaces';

const repoRoot = join(__dirname, '../../../..');

/** A folder whose node_modules hold the Angular/Express types a workspace is checked against. */
export interface TypeEnvironment {
  label: string;
  root: string;
  /** Packages to install into `root` first (see {@link installTypeEnvironment}); none for the repository. */
  dependencies?: Record<string, string>;
}

/** The repository's own devDependencies (@angular/* 21.2.24, express 5 types). */
export const DEV_DEPENDENCY_TYPES: TypeEnvironment = { label: 'devDependencies', root: repoRoot };

/** Packages of a generated package.json that only build or test the app (not needed for its types). */
const TOOLING = /^(@angular-devkit\/|@angular\/(cli|build|compiler-cli)$|typescript$|karma|jasmine|@types\/jasmine|vitest|jsdom|prettier)/;

/**
 * The type environment of a generated workspace: the runtime dependencies its package.json declares
 * (its era's @angular/*, express and @types/express), installed into a cached folder by
 * {@link installTypeEnvironment}, so that its server.ts is checked against the types it ships with.
 */
export function eraTypes(label: string, files: WorkspaceFiles): TypeEnvironment {
  const manifest = JSON.parse(files.get('/package.json')!.toString('utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  // `ng new` writes the CLI's own version for @angular/ssr, which a later schematics patch release can
  // outrun; the release's major is what matters for its types.
  const dependencies = Object.fromEntries(
    Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })
      .filter(([name]) => !TOOLING.test(name))
      .map(([name, range]) => [name, name.startsWith('@angular/') ? range.replace(/^[\^~]?(\d+)\..*$/, '^$1.0.0') : range]),
  );
  const key = createHash('sha256').update(JSON.stringify(dependencies)).digest('hex').slice(0, 12);
  const root = join(dirname(WORKSPACE_CACHE), 'type-environments', `${label}-${key}`);
  return { label, root, dependencies };
}

/** Installs an era environment's packages unless a previous run did (npm, several at once). */
export async function installTypeEnvironment(environment: TypeEnvironment): Promise<void> {
  const { root, dependencies } = environment;
  if (!dependencies || existsSync(join(root, 'node_modules'))) return;
  const partial = `${root}.tmp-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  writeFileSync(join(partial, 'package.json'), JSON.stringify({ private: true, dependencies }, null, 2));
  await promisify(execFile)('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--legacy-peer-deps', '--loglevel=error'], {
    cwd: partial,
  });
  // Atomic publish: an interrupted install never leaves a half-filled environment in the cache.
  if (!existsSync(root)) renameSync(partial, root);
  else rmSync(partial, { recursive: true, force: true });
}

/** One workspace to compile: its files and the entry files (tree paths) to start from. */
export interface TypeCheckItem {
  name: string;
  files: WorkspaceFiles;
  entries: readonly string[];
}

/**
 * Type-checks workspaces' server entries (and everything they import) the way their own tsconfig.json
 * says, with `ng-isr` resolved to this repository's built declarations (dist/runtime, installed as a
 * package next to them). The workspaces share one program per type environment (loading the Angular
 * declarations once). Returns formatted diagnostics per workspace name (empty when it compiles).
 */
export function typeCheckWorkspaces(items: readonly TypeCheckItem[], environment: TypeEnvironment): Map<string, string[]> {
  if (environment.dependencies && !existsSync(join(environment.root, 'node_modules'))) {
    throw new Error(`${environment.label} types are not installed: await installTypeEnvironment() first.`);
  }
  const base = join(environment.root, '.cache', 'typecheck', `run-${process.pid}-${Date.now()}`);
  rmSync(base, { recursive: true, force: true });
  installBuiltRuntime(join(base, 'node_modules', 'ng-isr'));
  const results = new Map<string, string[]>(items.map((item) => [item.name, []]));
  try {
    const roots: string[] = [];
    for (const item of items) {
      const dir = join(base, item.name);
      writeFiles(dir, new Map([...item.files].filter(([path]) => path.endsWith('.ts') || path.endsWith('.json'))));
      roots.push(...item.entries.map((entry) => join(dir, entry)));
    }
    const program = ts.createProgram(roots, compilerOptionsOf(items[0]!.files, base));
    for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      const fileName = diagnostic.file?.fileName ?? '';
      const owner = items.find((item) => fileName.startsWith(join(base, item.name) + '/'));
      const position =
        diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start) : undefined;
      const location = position ? `${fileName.slice(base.length)}:${position.line + 1}:${position.character + 1} ` : '';
      // Diagnostics outside every workspace (options, shared declarations) concern them all.
      for (const item of owner ? [owner] : items) results.get(item.name)!.push(location + message);
    }
    return results;
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

/** The workspace's own tsconfig.json compiler options, made to only check (strict, no emit). */
function compilerOptionsOf(files: WorkspaceFiles, dir: string): ts.CompilerOptions {
  const parsed = ts.parseConfigFileTextToJson('tsconfig.json', files.get('/tsconfig.json')!.toString('utf8'));
  const raw = { ...(parsed.config?.compilerOptions ?? {}) } as Record<string, unknown>;
  for (const key of ['outDir', 'declaration', 'sourceMap', 'lib', 'types', 'typeRoots', 'baseUrl', 'paths', 'importHelpers']) {
    delete raw[key];
  }
  const { options } = ts.convertCompilerOptionsFromJson(raw, dir);
  return { ...options, strict: true, noEmit: true, skipLibCheck: true, types: ['node'], lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'] };
}

function installBuiltRuntime(target: string): void {
  const built = join(repoRoot, 'dist', 'runtime');
  if (!existsSync(join(built, 'index.d.ts'))) throw new Error('dist/runtime is missing: run `npm run build` first.');
  mkdirSync(target, { recursive: true });
  cpSync(built, target, { recursive: true, filter: (source) => !source.endsWith('.map') });
  writeFileSync(
    join(target, 'package.json'),
    JSON.stringify({
      name: 'ng-isr',
      type: 'module',
      types: './index.d.ts',
      exports: { '.': { types: './index.d.ts', default: './index.js' } },
    }),
  );
}
