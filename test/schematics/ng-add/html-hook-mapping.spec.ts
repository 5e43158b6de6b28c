// The @rx-angular/isr / ngx-isr HTML hooks ng add rewrites to ng-isr's `(html, context)` form, and
// those it leaves under a TODO (they read the visitor's request, are not inline, or are async where
// ng-isr's hook is synchronous). The rewritten text must type-check against ng-isr's own types.
import * as ts from 'typescript';
import { parseSource } from '../../../schematics/utils/ast-search';
import { mapHtmlHook } from '../../../schematics/ng-add/migrate/html-hooks';

function mapped(name: 'modifyCachedHtml' | 'modifyGeneratedHtml', fn: string): string | undefined {
  const source = parseSource(ts, 'server.ts', `const hook = ${fn};\n`);
  const declaration = source.statements[0] as ts.VariableStatement;
  return mapHtmlHook(ts, source, name, declaration.declarationList.declarations[0]!.initializer!);
}

describe('mapping the old HTML hooks', () => {
  it.each([
    [
      'modifyCachedHtml',
      '(req, html) => html.replace("</body>", "<!-- x --></body>")',
      '(html: string) => html.replace("</body>", "<!-- x --></body>")',
    ],
    [
      'modifyCachedHtml',
      '(_req: Request, cachedHtml: string) => { return cachedHtml + "!"; }',
      '(cachedHtml: string) => { return cachedHtml + "!"; }',
    ],
    ['modifyCachedHtml', 'function (req, html) { return html; }', 'function (html: string) { return html; }'],
    [
      'modifyGeneratedHtml',
      '(req, html, revalidateTime) => html + `<!-- ${revalidateTime} -->`',
      '(html: string, { revalidate: revalidateTime }) => html + `<!-- ${revalidateTime} -->`',
    ],
    [
      'modifyGeneratedHtml',
      '(req, html, revalidate?: number | null) => revalidate ? html : html',
      '(html: string, { revalidate }) => revalidate ? html : html',
    ],
    ['modifyGeneratedHtml', '(req, html, unused) => html.trim()', '(html: string) => html.trim()'],
    ['modifyGeneratedHtml', 'async (req, html) => html', 'async (html: string) => html'],
  ] as const)('%s: %s', (name, before, after) => {
    expect(mapped(name, before)).toBe(after);
  });

  it.each([
    ['modifyCachedHtml', "(req, html) => html.replace('<html', `<html class=\"${req.headers['accept']}\"`)"],
    ['modifyGeneratedHtml', '(req, html) => html + req.url'],
    ['modifyCachedHtml', 'async (req, html) => html'],
    ['modifyCachedHtml', 'defaultModifyGeneratedHtml'],
    ['modifyCachedHtml', '({ url }, html) => html + url'],
    ['modifyCachedHtml', '(req, ...rest) => rest[0]'],
  ] as const)('%s: %s stays for a TODO', (name, before) => {
    expect(mapped(name, before)).toBeUndefined();
  });

  it('type-checks against ng-isr options', () => {
    const hooks = [
      mapped('modifyCachedHtml', '(req, html) => html + "!"'),
      mapped('modifyGeneratedHtml', '(req, html, t) => html + String(t)'),
    ];
    const text = [
      "import type { ISRHandlerOptions } from './runtime/server';",
      `export const options: Pick<ISRHandlerOptions, 'modifyCachedHtml' | 'modifyGeneratedHtml'> = {`,
      `  modifyCachedHtml: ${hooks[0]},`,
      `  modifyGeneratedHtml: ${hooks[1]},`,
      '};',
    ].join('\n');
    const fileName = `${process.cwd()}/__hook-check.ts`;
    const host = ts.createCompilerHost({
      strict: true,
      noEmit: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      skipLibCheck: true,
    });
    const read = host.readFile.bind(host);
    host.readFile = (name) => (name === fileName ? text : read(name));
    const exists = host.fileExists.bind(host);
    host.fileExists = (name) => name === fileName || exists(name);
    const program = ts.createProgram(
      [fileName],
      {
        strict: true,
        noEmit: true,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        target: ts.ScriptTarget.ES2022,
        skipLibCheck: true,
      },
      host,
    );
    const diagnostics = ts
      .getPreEmitDiagnostics(program, program.getSourceFile(fileName))
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
  });
});
