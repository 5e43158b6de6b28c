import type * as ts from 'typescript';
import { findDescendants, getObjectProperty, nameText, parseSource, propertyValue } from '../utils/ast-search';
import { Change, InsertChange } from '@schematics/angular/utility/change';
import { NG_ISR_PACKAGE } from '../../common/constants';
import { insertIntoArray } from '../utils/array-edits';
import { applyChangesToText } from '../utils/changes';
import { detectCodeStyle, lineIndentAt } from '../utils/code-style';
import { addNamedImport } from '../utils/import-edits';

const PROVIDE_ISR = 'provideISR';

/** The new text of a server config file, or why `provideISR()` could not be placed. */
export type ServerConfigResult = { ok: true; text: string } | { ok: false; reason: string };

/**
 * Adds `provideISR()` to the server providers: the `providers` of the `ApplicationConfig` merged in
 * `app.config.server.ts` (standalone), or of the server `@NgModule` (`app.module.server.ts`).
 * No change when `provideISR()` is already there.
 */
export function addProvideIsr(tsModule: typeof ts, fileName: string, text: string): ServerConfigResult {
  const sourceFile = parseSource(tsModule, fileName, text);
  const alreadyProvided = findDescendants(tsModule, sourceFile, tsModule.isCallExpression).some(
    (call) => tsModule.isIdentifier(call.expression) && call.expression.text === PROVIDE_ISR,
  );
  if (alreadyProvided) return { ok: true, text };
  const style = detectCodeStyle(tsModule, sourceFile);
  const call = `${PROVIDE_ISR}()`;
  let edit: Change | undefined;

  const ngModule = findNgModuleMetadata(tsModule, sourceFile);
  if (ngModule) {
    const providers = getObjectProperty(tsModule, ngModule, 'providers');
    if (providers) {
      const value = propertyValue(tsModule, providers);
      if (!tsModule.isArrayLiteralExpression(value)) return { ok: false, reason: 'the @NgModule providers are not an array literal' };
      edit = insertIntoArray(sourceFile, style, value, call);
    } else {
      // New `providers` line above `bootstrap` (where the Angular CLI puts it), else after the last property.
      const anchor = getObjectProperty(tsModule, ngModule, 'bootstrap') ?? ngModule.properties[ngModule.properties.length - 1];
      if (!anchor) return { ok: false, reason: 'the server @NgModule has no metadata to extend' };
      const indent = lineIndentAt(text, anchor.getStart(sourceFile));
      const multiline = text.slice(ngModule.getStart(sourceFile), anchor.getStart(sourceFile)).includes('\n');
      const separator = multiline ? `${style.newline}${indent}` : ' ';
      edit = new InsertChange(fileName, anchor.getStart(sourceFile), `providers: [${call}],${separator}`);
    }
  } else {
    const config = findServerApplicationConfig(tsModule, sourceFile);
    if (!config) return { ok: false, reason: 'it has neither an ApplicationConfig with providers nor an @NgModule' };
    edit = insertIntoArray(sourceFile, style, config, call);
  }
  const importEdit = addNamedImport(tsModule, sourceFile, style, NG_ISR_PACKAGE, PROVIDE_ISR);
  return { ok: true, text: applyChangesToText(fileName, text, importEdit ? [importEdit, edit] : [edit]) };
}

function findNgModuleMetadata(tsModule: typeof ts, sourceFile: ts.SourceFile): ts.ObjectLiteralExpression | undefined {
  for (const decorator of findDescendants(tsModule, sourceFile, tsModule.isDecorator)) {
    const call = decorator.expression;
    if (!tsModule.isCallExpression(call) || nameText(tsModule, call.expression) !== 'NgModule') continue;
    const [metadata] = call.arguments;
    if (metadata && tsModule.isObjectLiteralExpression(metadata)) return metadata;
  }
  return undefined;
}

/** The `providers` array of the config passed to `mergeApplicationConfig` (or the only one in the file). */
function findServerApplicationConfig(tsModule: typeof ts, sourceFile: ts.SourceFile): ts.ArrayLiteralExpression | undefined {
  const configs = new Map<string, ts.ArrayLiteralExpression>();
  for (const declaration of findDescendants(tsModule, sourceFile, tsModule.isVariableDeclaration)) {
    const init = declaration.initializer;
    if (!init || !tsModule.isObjectLiteralExpression(init) || !tsModule.isIdentifier(declaration.name)) continue;
    const providers = getObjectProperty(tsModule, init, 'providers');
    const value = providers && propertyValue(tsModule, providers);
    if (value && tsModule.isArrayLiteralExpression(value)) configs.set(declaration.name.text, value);
  }
  const merge = findDescendants(tsModule, sourceFile, tsModule.isCallExpression).find(
    (call) => nameText(tsModule, call.expression) === 'mergeApplicationConfig',
  );
  const merged = merge?.arguments.map((argument) => nameText(tsModule, argument)).find((name) => name && configs.has(name));
  if (merged) return configs.get(merged);
  return configs.size === 1 ? [...configs.values()][0] : undefined;
}
