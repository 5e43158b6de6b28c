// Test support for the isr-route schematic: real workspaces made by @schematics/angular at test
// time, the "ng-isr is set up" marks `ng add ng-isr` writes, AST readers, and a type-check on disk.
import { logging } from '@angular-devkit/core';
import { SchematicTestRunner, UnitTestTree } from '@angular-devkit/schematics/testing';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as ts from 'typescript';
import { angularWorkspace } from '../support/angular-workspace';
import { cacheRoot } from '../../../scripts/lib/toolchain';

export const REPO = join(__dirname, '../../..');
export const APP = '/projects/app/src/app';

export const isrRunner = new SchematicTestRunner('ng-isr', join(REPO, 'collection.json'));

export interface WorkspaceOptions {
  standalone?: boolean;
  ssr?: boolean;
  /** Add what `ng add ng-isr` leaves behind (dependency + `provideISR()` in the server config). */
  isrSetUp?: boolean;
}

/** `ng new ws --create-application=false` + `ng g application app --ssr` (Angular 21.2.24 defaults). */
export async function createWorkspace(options: WorkspaceOptions = {}): Promise<UnitTestTree> {
  const { standalone = true, ssr = true, isrSetUp = true } = options;
  const tree = await angularWorkspace({ app: 'app', ssr, standalone });
  if (isrSetUp) {
    markIsrSetUp(tree, standalone);
  }

  return tree;
}

/** Server config file of the generated app. */
export function serverConfigFile(standalone: boolean): string {
  return `${APP}/${standalone ? 'app.config.server.ts' : 'app.module.server.ts'}`;
}

/** Writes the two marks the schematic checks: `ng-isr` in dependencies and `provideISR()` in the server providers. */
export function markIsrSetUp(tree: UnitTestTree, standalone: boolean): void {
  addIsrMarks(tree, serverConfigFile(standalone));
}

/** {@link markIsrSetUp} for a given server config file (`provideServerRendering(...)` gets a `provideISR()` sibling). */
export function addIsrMarks(tree: UnitTestTree, serverConfig: string): void {
  const pkg = JSON.parse(tree.readContent('/package.json'));
  pkg.dependencies['ng-isr'] = '^0.1.0';
  tree.overwrite('/package.json', JSON.stringify(pkg, null, 2) + '\n');
  const text = tree.readContent(serverConfig);
  const call = /provideServerRendering\((withRoutes\(serverRoutes\))?\)/;
  if (!call.test(text)) {
    throw new Error(`unexpected server config:\n${text}`);
  }
  tree.overwrite(serverConfig, `import { provideISR } from 'ng-isr';\n${text.replace(call, '$&, provideISR()')}`);
}

/**
 * A runner of the ng-isr collection whose `externalSchematic('@schematics/angular', …)` calls go to
 * another Angular release's own schematics (npm-aliased `@schematics/angular-v<N>` devDependency).
 */
export function isrRunnerWithAngular(release: number): SchematicTestRunner {
  const runner = new SchematicTestRunner('ng-isr', join(REPO, 'collection.json'));
  runner.registerCollection('@schematics/angular', join(REPO, `node_modules/@schematics/angular-v${release}/collection.json`));

  return runner;
}

/** Runs the schematic, collecting what it logs. */
export async function runIsrRoute(
  tree: UnitTestTree,
  options: Record<string, unknown>,
  runner: SchematicTestRunner = isrRunner,
): Promise<{ tree: UnitTestTree; logs: string[] }> {
  const logs: string[] = [];
  const subscription = runner.logger.subscribe((entry: logging.LogEntry) => logs.push(`${entry.level}: ${entry.message}`));
  try {
    const result = await runner.runSchematic('isr-route', { project: 'app', ...options }, tree);

    return { tree: result, logs };
  } finally {
    subscription.unsubscribe();
  }
}

/** Every file's content, to compare trees before and after a run. */
export function snapshot(tree: UnitTestTree): Map<string, string> {
  return new Map(tree.files.map((file) => [file, tree.readContent(file)]));
}

/** A route object read back from source: its path and each property's initializer text. */
export interface RouteView {
  path: string | undefined;
  properties: Record<string, string>;
  data: Record<string, string> | undefined;
  node: ts.ObjectLiteralExpression;
}

function parse(tree: UnitTestTree, file: string): ts.SourceFile {
  return ts.createSourceFile(file, tree.readContent(file), ts.ScriptTarget.Latest, true);
}

function objectProperties(object: ts.ObjectLiteralExpression, source: ts.SourceFile): Record<string, string> {
  const result: Record<string, string> = {};
  for (const property of object.properties) {
    if (ts.isPropertyAssignment(property) && ts.isIdentifier(property.name)) {
      result[property.name.text] = property.initializer.getText(source);
    }
  }

  return result;
}

/**
 * The elements of the array a top-level `const <variable>` holds, or (when `variable` is omitted)
 * of the array literal passed inline to `RouterModule.forRoot(...)`.
 */
export function readRoutes(tree: UnitTestTree, file: string, variable?: string): RouteView[] {
  const source = parse(tree, file);
  let array: ts.ArrayLiteralExpression | undefined;
  const visit = (node: ts.Node): void => {
    if (variable && ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === variable) {
      array = node.initializer && ts.isArrayLiteralExpression(node.initializer) ? node.initializer : undefined;
    }
    if (!variable && ts.isCallExpression(node) && node.expression.getText(source) === 'RouterModule.forRoot') {
      const [argument] = node.arguments;
      array = argument && ts.isArrayLiteralExpression(argument) ? argument : undefined;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (!array) {
    throw new Error(`no routes array in ${file}`);
  }

  return array.elements.map((element) => {
    if (!ts.isObjectLiteralExpression(element)) {
      throw new Error(`route is not an object literal: ${element.getText(source)}`);
    }
    const properties = objectProperties(element, source);
    const dataNode = element.properties.find(
      (property): property is ts.PropertyAssignment => ts.isPropertyAssignment(property) && property.name.getText(source) === 'data',
    );
    const data =
      dataNode && ts.isObjectLiteralExpression(dataNode.initializer) ? objectProperties(dataNode.initializer, source) : undefined;
    const path = properties['path'] === undefined ? undefined : (JSON.parse(properties['path'].replace(/'/g, '"')) as string);

    return { path, properties, data, node: element };
  });
}

/** Named imports of a file, as `name -> module`. */
export function readImports(tree: UnitTestTree, file: string): Array<[string, string]> {
  const source = parse(tree, file);

  return source.statements.filter(ts.isImportDeclaration).flatMap((declaration) => {
    const module = (declaration.moduleSpecifier as ts.StringLiteral).text;
    const clause = declaration.importClause;
    const names: Array<[string, string]> = clause?.name ? [[clause.name.text, module]] : [];
    if (clause?.namedBindings && ts.isNamedImports(clause.namedBindings)) {
      names.push(...clause.namedBindings.elements.map((element): [string, string] => [element.name.text, module]));
    }

    return names;
  });
}

const CACHE = join(cacheRoot(), 'isr-route-typecheck');

// Parsed declaration files of node_modules (TypeScript's lib, @angular/*) are shared between the
// type-checks of one test file: they are the same files every time, and parsing them dominates.
const parsedLibraries = new Map<string, ts.SourceFile>();

function cachingHost(options: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    if (!fileName.includes('/node_modules/')) {
      return getSourceFile(fileName, languageVersion, onError, shouldCreate);
    }
    const key = `${fileName}@${JSON.stringify(languageVersion)}`;
    let source = parsedLibraries.get(key);
    if (!source) {
      source = getSourceFile(fileName, languageVersion, onError, shouldCreate);
      if (source) {
        parsedLibraries.set(key, source);
      }
    }

    return source;
  };

  return host;
}

/**
 * Writes the tree to a temporary folder (with this repo's node_modules, i.e. @angular/* 21.2.24)
 * and type-checks `entryFiles` (and what they import) with the app's own tsconfig
 * (strict, `module: preserve`), returning the diagnostics as text (empty = it compiles).
 */
export function typeCheck(tree: UnitTestTree, entryFiles: string[], appTsconfig = '/projects/app/tsconfig.app.json'): string[] {
  mkdirSync(CACHE, { recursive: true });
  const dir = mkdtempSync(join(CACHE, 'ws-'));
  try {
    for (const file of tree.files) {
      const target = join(dir, file);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, tree.readContent(file));
    }
    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const config = join(dir, dirname(appTsconfig), 'tsconfig.check.json');
    writeFileSync(
      config,
      JSON.stringify({
        extends: `./${basename(appTsconfig)}`,
        compilerOptions: { noEmit: true },
        include: [],
        files: entryFiles.map((file) => join(dir, file)),
      }),
    );
    const parsed = ts.getParsedCommandLineOfConfigFile(
      config,
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
          throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
        },
      },
    );
    if (!parsed) {
      throw new Error('unreadable tsconfig');
    }
    const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, host: cachingHost(parsed.options) });

    return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
      const where = diagnostic.file ? `${diagnostic.file.fileName.slice(dir.length)}: ` : '';

      return where + ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
