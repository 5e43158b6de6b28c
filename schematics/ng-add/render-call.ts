import type * as ts from 'typescript';
import { getObjectProperty, isIdentifierNamed, isMethodCall, nameText, propertyValue } from '../utils/ast-search';
import { EngineKind } from './express-server';

/** The engine call inside the catch-all handler, as the Angular CLI generates it. */
export interface RenderCall {
  engineName: string;
  kind: EngineKind;
  /** The node to replace by `isr.handle(...)`: the statement, or an arrow function's expression body. */
  replaceNode: ts.Node;
  /** Whether `replaceNode` is a statement (ends with `;`) or an expression. */
  isStatement: boolean;
  /** The handler is an async function that awaited the engine (`await isr.handle(...)` reads alike). */
  awaited?: boolean;
  /** CommonEngine only: the `bootstrap`, `documentFilePath` and `publicPath` expressions of `render({...})`. */
  renderOptions?: { bootstrap: ts.Expression; documentFilePath: ts.Expression; publicPath: ts.Expression };
}

/** The handler's `(req, res, next)` parameter names. */
export interface HandlerParams {
  req: string;
  res: string;
  next: string;
}

/** Render options ISRHandler replaces; anything else in `render({...})` would be lost, so it is refused. */
const KNOWN_RENDER_OPTIONS = ['bootstrap', 'documentFilePath', 'url', 'publicPath', 'providers'];

/**
 * Finds and checks the engine call of a catch-all handler. The chain must be the CLI's own
 * (`.then(write or next()).catch(next)`), because `isr.handle` does exactly that; custom handling in
 * the chain is refused (returned as a reason) rather than silently dropped.
 */
export function readRenderCall(
  tsModule: typeof ts,
  handler: ts.ArrowFunction | ts.FunctionExpression,
  engines: ReadonlyMap<string, { kind: EngineKind }>,
): RenderCall | string {
  const params = handlerParams(tsModule, handler);
  if (!params) return 'the catch-all handler does not take plain (req, res, next) parameters';

  const candidates: { node: ts.Node; expression: ts.Expression; isStatement: boolean }[] = [];
  if (tsModule.isBlock(handler.body)) {
    for (const statement of handler.body.statements) {
      if (tsModule.isExpressionStatement(statement)) {
        candidates.push({ node: statement, expression: statement.expression, isStatement: true });
      }
    }
  } else {
    candidates.push({ node: handler.body, expression: handler.body, isStatement: false });
  }

  for (const candidate of candidates) {
    const chain = unwindChain(tsModule, candidate.expression);
    const root = chain.root;
    for (const [engineName, engine] of engines) {
      const method = engine.kind === 'app-engine' ? 'handle' : 'render';
      if (!isMethodCall(tsModule, root, method, engineName)) continue;
      const problem = checkChain(tsModule, engine.kind, root as ts.CallExpression, chain.links, params);
      if (problem) return problem;
      const renderCall: RenderCall = {
        engineName,
        kind: engine.kind,
        replaceNode: candidate.node,
        isStatement: candidate.isStatement,
      };
      if (engine.kind === 'common-engine') {
        const options = readCommonEngineOptions(tsModule, root as ts.CallExpression);
        if (typeof options === 'string') return options;
        renderCall.renderOptions = options;
      }
      return renderCall;
    }
  }
  if (tsModule.isBlock(handler.body)) {
    for (const statement of handler.body.statements) {
      if (!tsModule.isTryStatement(statement)) continue;
      const awaited = readAwaitedAppEngineCall(tsModule, statement, engines, params);
      if (awaited) return { ...awaited, replaceNode: statement, isStatement: true, awaited: true };
      if ([...engines.keys()].some((name) => statement.getText().includes(`${name}.`))) {
        return 'the try/catch around `await engine.handle(req)` does more than write the response, call next() or pass the error to next(err)';
      }
    }
  }
  return 'the catch-all handler does not call the engine as `engine.handle(req)` / `engine.render({...})` in a statement of its own';
}

/**
 * The async form users write by hand (also what lint rules against floating promises lead to):
 * `try { const r = await engine.handle(req); if (r) await writeResponseToNodeResponse(r, res); else next(); }
 * catch (e) { next(e); }`, in the usual spellings. Anything else in the try block is not recognised.
 */
function readAwaitedAppEngineCall(
  tsModule: typeof ts,
  statement: ts.TryStatement,
  engines: ReadonlyMap<string, { kind: EngineKind }>,
  params: HandlerParams,
): Pick<RenderCall, 'engineName' | 'kind'> | undefined {
  const clause = statement.catchClause;
  const caught = clause?.variableDeclaration?.name;
  if (!clause || statement.finallyBlock || !caught || !tsModule.isIdentifier(caught)) return undefined;
  if (compactBlock(clause.block.getText()) !== `${params.next}(${caught.text})`) return undefined;
  const [first] = statement.tryBlock.statements;
  if (!first || !tsModule.isVariableStatement(first)) return undefined;
  const [declaration] = first.declarationList.declarations;
  const init = declaration?.initializer;
  if (!declaration || !tsModule.isIdentifier(declaration.name) || !init || !tsModule.isAwaitExpression(init)) return undefined;
  const response = declaration.name.text;
  for (const [engineName, engine] of engines) {
    if (engine.kind !== 'app-engine') continue;
    if (compact(init.expression.getText()) !== `${engineName}.handle(${params.req})`) continue;
    const rest = statement.tryBlock.statements
      .slice(1)
      .map((s) => s.getText())
      .join(';');
    const write = `writeResponseToNodeResponse(${response},${params.res})`;
    const next = `${params.next}()`;
    const accepted = [
      `if(${response})${write}else${next}`,
      `if(!${response})${next}${write}`,
      `if(${response})${write}${next}`,
      `${response}?${write}:${next}`,
    ];
    if (accepted.includes(compactBlock(rest))) return { engineName, kind: 'app-engine' };
  }
  return undefined;
}

/** {@link compact} that also drops braces, `return`, `await`, semicolons and parentheses around conditions. */
function compactBlock(text: string): string {
  return compact(
    text
      .replace(/\b(return|await)\b/g, '')
      .replace(/[{};]/g, '')
      .replace(/\b(if)\s*\((.*?)\)/gs, '$1($2)'),
  ).replace(/^\((.*)\)$/s, '$1');
}

/** The `(req, res, next)` names of a handler, when all three are plain identifiers. */
export function handlerParams(tsModule: typeof ts, handler: ts.ArrowFunction | ts.FunctionExpression): HandlerParams | undefined {
  const [req, res, next] = handler.parameters.map((p) => (tsModule.isIdentifier(p.name) ? p.name.text : undefined));
  return req && res && next && handler.parameters.length === 3 ? { req, res, next } : undefined;
}

interface ChainLink {
  name: string;
  args: readonly ts.Expression[];
}

function unwindChain(tsModule: typeof ts, expression: ts.Expression): { root: ts.Expression; links: ChainLink[] } {
  const links: ChainLink[] = [];
  let current = skipParens(tsModule, expression);
  while (
    tsModule.isCallExpression(current) &&
    tsModule.isPropertyAccessExpression(current.expression) &&
    ['then', 'catch', 'finally'].includes(current.expression.name.text)
  ) {
    links.unshift({ name: current.expression.name.text, args: current.arguments });
    current = skipParens(tsModule, current.expression.expression);
  }
  return { root: current, links };
}

function checkChain(
  tsModule: typeof ts,
  kind: EngineKind,
  root: ts.CallExpression,
  links: readonly ChainLink[],
  params: HandlerParams,
): string | undefined {
  if (kind === 'app-engine') {
    const [request, ...rest] = root.arguments;
    if (!request || !isIdentifierNamed(tsModule, request, params.req) || rest.length > 0) {
      return 'the engine is called with more than the request (a custom request context); ISRHandler passes its own';
    }
  }
  const names = links.map((link) => link.name).join('.');
  if (names !== 'then.catch') {
    return `the engine call is chained as \`.${names || '(nothing)'}\`, not \`.then(...).catch(...)\` as the Angular CLI generates it`;
  }
  const [then, catchLink] = links as [ChainLink, ChainLink];
  const thenBody = callbackBody(tsModule, then.args[0]);
  const expectedThen =
    kind === 'app-engine'
      ? (value: string) => `${value}?writeResponseToNodeResponse(${value},${params.res}):${params.next}()`
      : (value: string) => `${params.res}.send(${value})`;
  if (!thenBody || compact(thenBody.body) !== expectedThen(thenBody.param)) {
    return 'the `.then(...)` of the engine call does more than write the response or fall through with next()';
  }
  const handler = catchLink.args[0];
  const catchBody = callbackBody(tsModule, handler);
  const forwardsToNext =
    (handler && isIdentifierNamed(tsModule, handler, params.next)) ||
    (catchBody && compact(catchBody.body) === `${params.next}(${catchBody.param})`);
  if (!forwardsToNext) {
    return 'the `.catch(...)` of the engine call does more than pass the error to next(err)';
  }
  return undefined;
}

function readCommonEngineOptions(tsModule: typeof ts, render: ts.CallExpression): NonNullable<RenderCall['renderOptions']> | string {
  const options = render.arguments[0];
  if (!options || !tsModule.isObjectLiteralExpression(options) || render.arguments.length !== 1) {
    return 'commonEngine.render(...) is not called with an object literal';
  }
  for (const property of options.properties) {
    const name = nameText(tsModule, property.name);
    if (!name || !KNOWN_RENDER_OPTIONS.includes(name)) {
      return `commonEngine.render({...}) sets \`${name ?? property.getText()}\`, which ISRHandler would not pass on`;
    }
  }
  const providers = getObjectProperty(tsModule, options, 'providers');
  if (providers && !isBaseHrefOnly(tsModule, propertyValue(tsModule, providers))) {
    return 'commonEngine.render({...}) passes providers other than APP_BASE_HREF, which ISRHandler would not pass on';
  }
  const read = (name: string) => {
    const property = getObjectProperty(tsModule, options, name);
    return property && propertyValue(tsModule, property);
  };
  const bootstrap = read('bootstrap');
  const documentFilePath = read('documentFilePath');
  const publicPath = read('publicPath');
  if (!bootstrap || !documentFilePath || !publicPath) {
    return 'commonEngine.render({...}) lacks one of bootstrap, documentFilePath, publicPath';
  }
  return { bootstrap, documentFilePath, publicPath };
}

function isBaseHrefOnly(tsModule: typeof ts, value: ts.Expression): boolean {
  if (!tsModule.isArrayLiteralExpression(value)) return false;
  return value.elements.every((element) => {
    if (!tsModule.isObjectLiteralExpression(element)) return false;
    const provide = getObjectProperty(tsModule, element, 'provide');
    return !!provide && compact(propertyValue(tsModule, provide).getText()) === 'APP_BASE_HREF';
  });
}

function callbackBody(tsModule: typeof ts, node: ts.Expression | undefined): { param: string; body: string } | undefined {
  if (!node || !(tsModule.isArrowFunction(node) || tsModule.isFunctionExpression(node))) return undefined;
  const [param] = node.parameters;
  if (!param || !tsModule.isIdentifier(param.name) || node.parameters.length !== 1) return undefined;
  let body: ts.Node = node.body;
  if (tsModule.isBlock(body)) {
    const [only] = body.statements;
    if (!only || body.statements.length !== 1) return undefined;
    if (tsModule.isReturnStatement(only) && only.expression) body = only.expression;
    else if (tsModule.isExpressionStatement(only)) body = only.expression;
    else return undefined;
  }
  return { param: param.name.text, body: skipParens(tsModule, body as ts.Expression).getText() };
}

function skipParens(tsModule: typeof ts, expression: ts.Expression): ts.Expression {
  let current = expression;
  while (tsModule.isParenthesizedExpression(current)) current = current.expression;
  return current;
}

/** Source text without whitespace, trailing commas or optional semicolons: formatting-agnostic comparison. */
function compact(text: string): string {
  return text
    .replace(/\s+/g, '')
    .replace(/,([)\]}])/g, '$1')
    .replace(/;$/, '');
}
