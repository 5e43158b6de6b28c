// Small pure pieces of ng add, checked on their own: catch-all recognition, code style detection,
// array appends in each layout, edit application, server-route switching.
import * as ts from 'typescript';
import { parseSource } from '../../../schematics/utils/ast-search';
import { InsertChange, RemoveChange } from '@schematics/angular/utility/change';
import { insertIntoArray } from '../../../schematics/utils/array-edits';
import { applyChangesToText } from '../../../schematics/utils/changes';
import { detectCodeStyle } from '../../../schematics/utils/code-style';
import { isCatchAll, readExpressServer } from '../../../schematics/ng-add/express-server';
import { serveCatchAllRoute } from '../../../schematics/ng-add/server-routes';
import { closingMessage, engineChecksHost, versionOf } from '../../../schematics/ng-add/messages';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function appCall(statement: string) {
  const source = parseSource(ts, 'server.ts', `import express from 'express';\nconst app = express();\n${statement}\n`);
  const server = readExpressServer(ts, source)!;
  return server.appCalls[0]!;
}

describe('catch-all recognition', () => {
  it.each([
    ['app.use((req, res, next) => next());', true],
    ["app.use('/', (req, res, next) => next());", true],
    ["app.get('*', (req, res, next) => next());", true],
    ["app.get('**', (req, res, next) => next());", true],
    ["app.get('/**', (req, res, next) => next());", true],
    ["app.use('/**', (req, res, next) => next());", true],
    ["app.get('/{*splat}', (req, res, next) => next());", true],
    ["app.all('/*path', (req, res, next) => next());", true],
    ["app.get('/api/*', (req, res, next) => next());", false],
    ["app.get('*.*', (req, res, next) => next());", false],
    ["app.post('*', (req, res, next) => next());", false],
    ["app.use('/blog', (req, res, next) => next());", false],
  ])('%s -> %s', (statement, expected) => {
    expect(isCatchAll(appCall(statement))).toBe(expected);
  });
});

describe('code style detection', () => {
  it('reads the Angular CLI style', () => {
    const style = detectCodeStyle(ts, parseSource(ts, 'a.ts', "import a from 'a';\n\nfoo({\n  b,\n});\n"));
    expect(style).toEqual({ quote: "'", semicolon: ';', indentUnit: '  ', trailingComma: ',', newline: '\n' });
  });

  it('reads a Prettier style without semicolons or trailing commas, four spaces, CRLF', () => {
    const style = detectCodeStyle(ts, parseSource(ts, 'a.ts', 'import a from "a"\r\n\r\nfoo({\r\n    b\r\n})\r\n'));
    expect(style).toEqual({ quote: '"', semicolon: '', indentUnit: '    ', trailingComma: '', newline: '\r\n' });
  });
});

describe('insertIntoArray', () => {
  const append = (source: string) => {
    const file = parseSource(ts, 'a.ts', source);
    let array: ts.ArrayLiteralExpression | undefined;
    const visit = (node: ts.Node): void => {
      if (!array && ts.isArrayLiteralExpression(node)) array = node;
      ts.forEachChild(node, visit);
    };
    visit(file);
    return applyChangesToText('a.ts', source, [insertIntoArray(file, detectCodeStyle(ts, file), array!, 'provideISR()')]);
  };

  it.each([
    ['const p = [];', 'const p = [provideISR()];'],
    ['const p = [a(), b()];', 'const p = [a(), b(), provideISR()];'],
    ['const p = [\n  a(),\n];', 'const p = [\n  a(),\n  provideISR(),\n];'],
    ['const p = [\n  a()\n];', 'const p = [\n  a(),\n  provideISR()\n];'],
  ])('%j', (source, expected) => {
    expect(append(source)).toBe(expected);
  });
});

describe('applyChangesToText', () => {
  it('keeps the order of insertions at one position', () => {
    expect(applyChangesToText('a.ts', 'ac', [new InsertChange('a.ts', 1, 'b'), new InsertChange('a.ts', 1, 'B')])).toBe('abBc');
    expect(applyChangesToText('a.ts', 'abc', [new RemoveChange('a.ts', 0, 'ab'), new InsertChange('a.ts', 3, 'd')])).toBe('cd');
  });
});

describe('code style of a three-space file', () => {
  it("indents with the file's own three spaces", () => {
    const style = detectCodeStyle(ts, parseSource(ts, 'a.ts', "import a from 'a';\n\nfoo({\n   b,\n});\n"));
    expect(style.indentUnit).toBe('   ');
  });
});

describe('serveCatchAllRoute', () => {
  const routes =
    "export const serverRoutes = [\n  { path: 'about', renderMode: RenderMode.Prerender },\n  { path: '**', renderMode: RenderMode.Prerender },\n];\n";

  it("switches only the '**' route", () => {
    const result = serveCatchAllRoute(ts, 'r.ts', routes, false);
    expect(result.switched).toBe(1);
    expect(result.otherPrerendered).toEqual(['about']);
    expect(result.text).toContain("{ path: 'about', renderMode: RenderMode.Prerender }");
    expect(result.text).toContain("{ path: '**', renderMode: RenderMode.Server }");
  });

  it('keeps prerendering when asked', () => {
    expect(serveCatchAllRoute(ts, 'r.ts', routes, true)).toEqual({ text: routes, switched: 0, kept: 1, otherPrerendered: ['about'] });
  });
});

describe('loadTypeScript', () => {
  // Run in plain Node with the built loader: jest's own require does not honour `require.resolve` paths.
  const versionSeenFrom = (workspace: string) =>
    execFileSync(
      process.execPath,
      [
        '-e',
        `process.stdout.write(require(process.argv[1]).loadTypeScript(process.argv[2]).version)`,
        join(__dirname, '../../../dist/schematics/utils/typescript-loader.js'),
        workspace,
      ],
      { encoding: 'utf8' },
    );

  it("prefers the workspace's own typescript and falls back to the one next to ng-isr", () => {
    const workspace = mkdtempSync(join(tmpdir(), 'ng-isr-ts-'));
    try {
      expect(versionSeenFrom(workspace)).toBe(ts.version);
      const own = join(workspace, 'node_modules', 'typescript');
      mkdirSync(own, { recursive: true });
      writeFileSync(join(own, 'package.json'), JSON.stringify({ name: 'typescript', version: '0.0.0-workspace', main: 'index.js' }));
      writeFileSync(join(own, 'index.js'), "module.exports = { version: '0.0.0-workspace' };");
      expect(versionSeenFrom(workspace)).toBe('0.0.0-workspace');
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});

describe('closing message', () => {
  it.each([
    ['^21.2.0', [21, 2]],
    ['21.2.24', [21, 2]],
    ['~19.2.27', [19, 2]],
    ['>=20.3.0', [20, 3]],
    ['latest', undefined],
    [undefined, undefined],
  ] as const)('reads the version of %p', (range, expected) => {
    expect(versionOf(range)).toEqual(expected);
  });

  it.each([
    [[17, 3], false],
    [[18, 2], false],
    [[19, 1], false],
    [[19, 2], true],
    [[20, 3], true],
    [[22, 0], true],
    [undefined, true],
  ] as const)('Angular %p checks the Host header: %p', (version, expected) => {
    expect(engineChecksHost(version)).toBe(expected);
  });

  const base = { projectName: 'demo', tokenEnv: 'ISR_INVALIDATE_TOKEN', invalidatePath: '/api/invalidate' };

  it('names the token variable and, where the engine checks Host, NG_ALLOWED_HOSTS', () => {
    const message = closingMessage({ ...base, engine: 'app-engine', angularVersion: [21, 2] });
    expect(message).toMatch(/^ng-isr is set up\./);
    expect(message).toContain('ISR_INVALIDATE_TOKEN: the token of POST /api/invalidate (`ng run demo:isr-invalidate`)');
    expect(message).toContain('NG_ALLOWED_HOSTS (or `security.allowedHosts` in angular.json): your real host names');
    expect(message).toContain('client-side shell, which ng-isr never caches');
  });

  it('points CommonEngine apps to the constructor option, and leaves the host line out before 19.2', () => {
    expect(closingMessage({ ...base, engine: 'common-engine', angularVersion: [19, 2] })).toContain(
      'NG_ALLOWED_HOSTS (or `allowedHosts` of new CommonEngine())',
    );
    const v17 = closingMessage({ ...base, tokenEnv: 'SITE_PURGE_TOKEN', engine: 'common-engine', angularVersion: [17, 3] });
    expect(v17).toContain('SITE_PURGE_TOKEN');
    expect(v17).not.toContain('NG_ALLOWED_HOSTS');
  });
});

describe('findSsrProject (the one project resolver of ng add and isr-route)', () => {
  const { HostTree } = require('@angular-devkit/schematics') as typeof import('@angular-devkit/schematics');
  const { readWorkspace } = require('@schematics/angular/utility') as typeof import('@schematics/angular/utility');
  const { findSsrProject } = require('../../../schematics/utils/ssr-project') as typeof import('../../../schematics/utils/ssr-project');
  const resolve = async (projects: Record<string, unknown>, requested?: string) => {
    const tree = new HostTree();
    tree.create('/angular.json', JSON.stringify({ version: 1, projects }));
    return findSsrProject(tree, await readWorkspace(tree), requested);
  };
  const app = {
    projectType: 'application',
    root: '',
    architect: { build: { builder: '@angular/build:application', options: { ssr: true } } },
  };

  it('names the problem when no project is given: none, several (listed), or a missing one', async () => {
    expect(await resolve({ lib: { projectType: 'library', root: 'lib' } })).toEqual({
      kind: 'no-project',
      message: 'The workspace has no application project; create one with `ng generate application`.',
    });
    expect(await resolve({ a: app, b: app })).toEqual({
      kind: 'no-project',
      message: 'The workspace has several applications (a, b); pick one with --project.',
    });
    expect(await resolve({ a: app }, 'c')).toEqual({ kind: 'no-project', message: 'Project "c" does not exist in angular.json.' });
    expect(await resolve({ a: app, lib: { projectType: 'library', root: 'lib' } }, 'lib')).toMatchObject({ kind: 'not-application' });
    expect(await resolve({ a: app, b: app }, 'b')).toMatchObject({ projectName: 'b', serverEntry: undefined });
  });
});
