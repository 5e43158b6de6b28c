import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import * as ts from 'typescript';

/** One option of a public options type of the runtime, e.g. `ISRHandlerOptions.cacheControl`. */
export interface RuntimeOption {
  /** The exported type, e.g. `ISRHandlerOptions`. */
  type: string;
  name: string;
  file: string;
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}

/**
 * Every property of every `…Options` type the server entry (`runtime/server.ts`, re-exported by `ng-isr`) exports:
 * the options of `ISRHandler` and of the cache handlers, nested option objects included.
 */
export function runtimeOptions(root: string): RuntimeOption[] {
  const indexFile = join(root, 'runtime/server.ts');
  const index = parse(indexFile);
  const options: RuntimeOption[] = [];
  for (const statement of index.statements) {
    if (!ts.isExportDeclaration(statement) || !statement.moduleSpecifier || !statement.exportClause) continue;
    if (!ts.isNamedExports(statement.exportClause)) continue;
    const specifier = (statement.moduleSpecifier as ts.StringLiteral).text.replace(/\.js$/, '.ts');
    const file = join(dirname(indexFile), specifier);
    for (const element of statement.exportClause.elements) {
      const exported = element.name.text;
      if (!exported.endsWith('Options')) continue;
      const local = element.propertyName?.text ?? exported;
      const declaration = parse(file).statements.find(
        (node): node is ts.InterfaceDeclaration | ts.TypeAliasDeclaration =>
          (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) && node.name.text === local,
      );
      if (!declaration) throw new Error(`runtime/server.ts exports ${exported} but ${specifier} does not declare it`);
      const members = ts.isInterfaceDeclaration(declaration)
        ? declaration.members
        : ts.isTypeLiteralNode(declaration.type)
          ? declaration.type.members
          : ts.factory.createNodeArray<ts.TypeElement>();
      for (const member of members) {
        if (ts.isPropertySignature(member) && member.name && (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name))) {
          options.push({ type: exported, name: member.name.text, file: relative(root, file) });
        }
      }
    }
  }
  return options;
}

/** The property names of a schematic's or builder's `schema.json`. */
export function schemaOptions(schemaFile: string): string[] {
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as { properties?: Record<string, unknown> };
  return Object.keys(schema.properties ?? {});
}

/** `keepPrerender` → `keep-prerender` (how the Angular CLI spells options as flags). */
export function dasherize(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
