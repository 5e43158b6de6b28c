import type { Change } from '@schematics/angular/utility/change';
import type * as ts from 'typescript';
import { NG_ISR_PACKAGE } from '../../common/constants';
import { findDescendants, parseSource } from '../utils/ast-search';
import { CodeStyle, detectCodeStyle } from '../utils/code-style';
import { findNamedImport } from '../utils/import-edits';
import {
  AppCall,
  EngineKind,
  ExpressServer,
  containsMethodCall,
  isCatchAll,
  isStaticMiddleware,
  readExpressServer,
} from './express-server';
import { RenderCall, readRenderCall } from './render-call';

/** Options that shape the generated server code. */
export interface ServerFileOptions {
  /** Environment variable holding the invalidation token. */
  tokenEnv: string;
  /** Path of the on-demand invalidation endpoint. */
  invalidatePath: string;
}

/** What is known about a refused file, so that the printed lines use its own names. */
export interface ManualHint {
  engine: EngineKind | undefined;
  appName?: string;
  engineName?: string;
}

export const ISR_HANDLER = 'ISRHandler';

/** What every planner of the server.ts rewrite reads: the parsed file, its style and its routes. */
export interface ServerPlanContext {
  tsModule: typeof ts;
  sourceFile: ts.SourceFile;
  style: CodeStyle;
  options: ServerFileOptions;
  server: ExpressServer;
  appName: string;
  /** The name of the ISRHandler instance (the existing one, or a free name for the new one). */
  isrName: string;
  existingInstance: { name: string; options: ts.Expression | undefined } | undefined;
  /** The engine-rendering catch-all to route through ISR (absent when it already is). */
  renderCatchAll: { call: AppCall; render: RenderCall } | undefined;
  engine: EngineKind | undefined;
  /** The catch-all statement and the block it stands in. */
  anchor: ts.ExpressionStatement;
  siblings: ts.Block | ts.SourceFile;
  anchorIndex: number;
  /** The app calls before the catch-all, and `express.static(...)` among them. */
  callsBefore: AppCall[];
  staticCall: AppCall | undefined;
  /** Whether the block introduces statements with `/** … *\/` comments (Angular 19+) rather than `//`. */
  blockComments: boolean;
}

/** What one planner adds; a string is the reason the file cannot be rewritten. */
export type StepPlan = { changes: Change[]; messages?: string[]; removedReferences?: string[] } | string;

/** Reads what the planners need from a server file, or the reason (with names for the manual lines) it is refused. */
export function readServerPlanContext(
  tsModule: typeof ts,
  fileName: string,
  text: string,
  options: ServerFileOptions,
): ServerPlanContext | ({ reason: string } & ManualHint) {
  const sourceFile = parseSource(tsModule, fileName, text);
  const server = readExpressServer(tsModule, sourceFile);
  if (!server) return { reason: 'it does not import express', engine: undefined };
  if (server.appNames.length !== 1) {
    return { reason: `it creates ${server.appNames.length} express() apps, expected one`, engine: undefined };
  }
  const appName = server.appNames[0]!;
  const engines = [...server.engines];
  const refuse = (reason: string, engine: EngineKind | undefined) => ({
    reason,
    engine,
    appName,
    engineName: engines.length === 1 ? engines[0]![0] : undefined,
  });
  const importedAs = findNamedImport(tsModule, sourceFile, NG_ISR_PACKAGE, ISR_HANDLER) ?? ISR_HANDLER;
  const existingInstance = findIsrInstance(tsModule, sourceFile, importedAs);
  const isrName = existingInstance?.name ?? freeName(tsModule, sourceFile, ['isr', 'isrHandler', 'ngIsr']);

  // The catch-all: already routed through ISR, or the engine-rendering handler to route through it.
  const routed = server.appCalls.find((call) => call.handler && containsMethodCall(tsModule, call.handler, isrName, 'handle'));
  let renderCatchAll: ServerPlanContext['renderCatchAll'];
  let engine = existingInstance ? engineOfInstance(tsModule, existingInstance.options) : undefined;
  if (!routed) {
    const found = findRenderCatchAll(tsModule, server);
    if (typeof found === 'string') return refuse(found, singleEngineKind(server));
    renderCatchAll = found;
    engine = found.render.kind;
  }
  const anchor = (routed ?? renderCatchAll!.call).statement;
  const siblings = anchor.parent as ts.Block | ts.SourceFile;
  if (!tsModule.isBlock(siblings) && !tsModule.isSourceFile(siblings)) {
    return refuse('the catch-all handler is not registered at the top level of a block', engine);
  }
  const anchorIndex = siblings.statements.indexOf(anchor);
  const before = siblings.statements.slice(0, anchorIndex);
  const callsBefore = server.appCalls.filter((call) => before.includes(call.statement));
  return {
    tsModule,
    sourceFile,
    style: detectCodeStyle(tsModule, sourceFile),
    options,
    server,
    appName,
    isrName,
    existingInstance,
    renderCatchAll,
    engine,
    anchor,
    siblings,
    anchorIndex,
    callsBefore,
    staticCall: callsBefore.find((call) => isStaticMiddleware(tsModule, server, call)),
    blockComments: usesBlockComments(tsModule, sourceFile, siblings.statements),
  };
}

/** A comment line (`//`) or block (`/** … *\/`) in the style of the statements around it. */
export function comment(block: boolean, text: string): string[] {
  return block ? ['/**', ` * ${text}`, ' */'] : [`// ${text}`];
}

/** Whether the statements of a block are introduced by `/** ... *\/` comments (Angular 19+) or `//` (17/18). */
export function usesBlockComments(tsModule: typeof ts, sourceFile: ts.SourceFile, statements: readonly ts.Statement[]): boolean {
  return statements.some((statement) =>
    (tsModule.getLeadingCommentRanges(sourceFile.text, statement.getFullStart()) ?? []).some((range) =>
      sourceFile.text.startsWith('/**', range.pos),
    ),
  );
}

function findRenderCatchAll(tsModule: typeof ts, server: ExpressServer): { call: AppCall; render: RenderCall } | string {
  if (server.engines.size === 0) {
    return 'it creates neither an AngularNodeAppEngine nor a CommonEngine';
  }
  const rendering = server.appCalls.filter(
    (call) =>
      call.handler &&
      [...server.engines].some(([name, engine]) =>
        containsMethodCall(tsModule, call.handler!, name, engine.kind === 'app-engine' ? 'handle' : 'render'),
      ),
  );
  if (rendering.length === 0) return 'no app.use/app.get handler renders with the engine (inline function expected)';
  if (rendering.length > 1) return `${rendering.length} handlers render with the engine, expected one catch-all`;
  const call = rendering[0]!;
  if (!isCatchAll(call)) {
    return `the handler that renders with the engine is registered for '${call.path}', not for every path`;
  }
  const render = readRenderCall(tsModule, call.handler!, server.engines);
  return typeof render === 'string' ? render : { call, render };
}

function singleEngineKind(server: ExpressServer): EngineKind | undefined {
  const kinds = new Set([...server.engines.values()].map((engine) => engine.kind));
  return kinds.size === 1 ? [...kinds][0] : undefined;
}

function findIsrInstance(
  tsModule: typeof ts,
  sourceFile: ts.SourceFile,
  className: string,
): { name: string; options: ts.Expression | undefined } | undefined {
  for (const declaration of findDescendants(tsModule, sourceFile, tsModule.isVariableDeclaration)) {
    const init = declaration.initializer;
    if (
      init &&
      tsModule.isNewExpression(init) &&
      tsModule.isIdentifier(init.expression) &&
      init.expression.text === className &&
      tsModule.isIdentifier(declaration.name)
    ) {
      return { name: declaration.name.text, options: init.arguments?.[0] };
    }
  }
  return undefined;
}

function engineOfInstance(tsModule: typeof ts, options: ts.Expression | undefined): EngineKind | undefined {
  if (!options || !tsModule.isObjectLiteralExpression(options)) return undefined;
  const names = options.properties.map((property) => property.name?.getText());
  if (names.includes('angularAppEngine')) return 'app-engine';
  if (names.includes('commonEngine')) return 'common-engine';
  return undefined;
}

/** The first candidate no identifier of the file uses (else the first one with a number). */
export function freeName(tsModule: typeof ts, sourceFile: ts.SourceFile, candidates: readonly string[]): string {
  const taken = new Set(findDescendants(tsModule, sourceFile, tsModule.isIdentifier).map((identifier) => identifier.text));
  return candidates.find((name) => !taken.has(name)) ?? `${candidates[0]}${taken.size}`;
}
