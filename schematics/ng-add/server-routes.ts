import type * as ts from 'typescript';
import { ReplaceChange } from '@schematics/angular/utility/change';
import { findDescendants, getObjectProperty, nameText, parseSource, propertyValue } from '../utils/ast-search';
import { applyChangesToText } from '../utils/changes';

/** The catch-all server routes rendered with `RenderMode.Prerender` (edits or reports these). */
export interface PrerenderedCatchAll {
  /** The new text (`RenderMode.Server` for `**`), or the input when nothing was switched. */
  text: string;
  /** How many `**` routes were switched. */
  switched: number;
  /** How many `**` routes still prerender (when kept on purpose). */
  kept: number;
  /** Paths of other routes the app prerenders on purpose (left alone, reported). */
  otherPrerendered: string[];
}

/**
 * Switches the `path: '**'` server route from `RenderMode.Prerender` to `RenderMode.Server` (unless
 * `keepPrerender`): a prerendered page is a static file that `express.static` serves, so ISR never sees it.
 */
export function serveCatchAllRoute(tsModule: typeof ts, fileName: string, text: string, keepPrerender: boolean): PrerenderedCatchAll {
  const sourceFile = parseSource(tsModule, fileName, text);
  const prerendered: ts.MemberName[] = [];
  const otherPrerendered: string[] = [];
  for (const route of findDescendants(tsModule, sourceFile, tsModule.isObjectLiteralExpression)) {
    const path = getObjectProperty(tsModule, route, 'path');
    const mode = getObjectProperty(tsModule, route, 'renderMode');
    const value = mode && propertyValue(tsModule, mode);
    const pathText = path && nameText(tsModule, propertyValue(tsModule, path));
    if (pathText === undefined || !value || !tsModule.isPropertyAccessExpression(value) || value.name.text !== 'Prerender') {
      continue;
    }
    if (pathText === '**') prerendered.push(value.name);
    else otherPrerendered.push(pathText);
  }
  if (keepPrerender || prerendered.length === 0) return { text, switched: 0, kept: prerendered.length, otherPrerendered };
  const changes = prerendered.map((name) => new ReplaceChange(fileName, name.getStart(sourceFile), name.text, 'Server'));
  return { text: applyChangesToText(fileName, text, changes), switched: prerendered.length, kept: 0, otherPrerendered };
}
