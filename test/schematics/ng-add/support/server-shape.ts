import * as ts from 'typescript';

/** What a rewritten server.ts contains, read from its AST (what the specs assert on). */
export interface ServerShape {
  /** `ISRHandler` named imports from 'ng-isr'. */
  isrImports: number;
  /** `new ISRHandler({...})` expressions and their option keys. */
  instances: { name: string; keys: string[]; tokenEnv: string | undefined }[];
  /**
   * `<app>.post(path, ...)` routes that pass `<isr>.invalidate` or call it from a handler;
   * `bodyErrorsLast`: the last handler is `<isr>.invalidateBodyErrors`.
   */
  invalidateRoutes: { path: string; scopedJson: boolean; bodyErrorsLast: boolean; index: number }[];
  /** Calls of `<isr>.handle(` and `<isr>.serveFromCache(`, with their statement index in the block. */
  handleCalls: { index: number }[];
  serveFromCacheCalls: { index: number }[];
  /** Index of the first `express.static(...)` registration (same block), -1 when none. */
  staticIndex: number;
  /** Calls `<engine>.handle(` / `<engine>.render(` left in the file (0 once routed through ISR). */
  engineCalls: number;
  /** `….listen(` calls, and whether each is called on `<isr>.fastPath(app)`. */
  listens: { throughFastPath: boolean }[];
  /** `createNodeRequestHandler(…)` calls, and whether each is given `<isr>.fastPath(app)`. */
  requestHandlers: { throughFastPath: boolean }[];
}

/** `x.fastPath(app)` (`x` the handler or the expression that reaches it). */
function isFastPathCall(node: ts.Node | undefined): boolean {
  return (
    node !== undefined &&
    ts.isCallExpression(node) &&
    ts.isPropertyAccessExpression(node.expression) &&
    node.expression.name.text === 'fastPath' &&
    node.arguments.length === 1
  );
}

/** Reads the {@link ServerShape} of a server.ts. */
export function readServerShape(text: string): ServerShape {
  const sourceFile = ts.createSourceFile('server.ts', text, ts.ScriptTarget.Latest, true);
  const shape: ServerShape = {
    isrImports: 0,
    instances: [],
    invalidateRoutes: [],
    handleCalls: [],
    serveFromCacheCalls: [],
    staticIndex: -1,
    engineCalls: 0,
    listens: [],
    requestHandlers: [],
  };
  const engineNames = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && (node.moduleSpecifier as ts.StringLiteral).text === 'ng-isr') {
      const bindings = node.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) {
        shape.isrImports += bindings.elements.filter((element) => element.name.text === 'ISRHandler').length;
      }
    }
    if (ts.isVariableDeclaration(node) && node.initializer && ts.isNewExpression(node.initializer)) {
      const className = node.initializer.expression.getText(sourceFile);
      if (className === 'AngularNodeAppEngine' || className === 'CommonEngine') engineNames.add(node.name.getText(sourceFile));
      if (className === 'ISRHandler') {
        const options = node.initializer.arguments?.[0];
        const keys = options && ts.isObjectLiteralExpression(options) ? options.properties.map((p) => p.name!.getText(sourceFile)) : [];
        const token =
          options && ts.isObjectLiteralExpression(options)
            ? options.properties.find((p) => p.name?.getText(sourceFile) === 'invalidateSecretToken')
            : undefined;
        const tokenEnv =
          token &&
          ts.isPropertyAssignment(token) &&
          ts.isElementAccessExpression(token.initializer) &&
          token.initializer.expression.getText(sourceFile) === 'process.env'
            ? (token.initializer.argumentExpression as ts.StringLiteral).text
            : undefined;
        shape.instances.push({ name: node.name.getText(sourceFile), keys, tokenEnv });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  const isrNames = new Set(shape.instances.map((instance) => instance.name));

  for (const statement of allStatements(sourceFile)) {
    if (!ts.isExpressionStatement(statement) || !ts.isCallExpression(statement.expression)) continue;
    const call = statement.expression;
    const index = (statement.parent as ts.Block).statements.indexOf(statement);
    const calls = descendantsCalls(statement);
    const method = ts.isPropertyAccessExpression(call.expression) ? call.expression.name.text : '';
    if (memberReads(statement).some((read) => isMemberOf(read, isrNames, 'invalidate')) && method === 'post') {
      const path = call.arguments[0];
      const last = call.arguments[call.arguments.length - 1];
      shape.invalidateRoutes.push({
        path: path && ts.isStringLiteral(path) ? path.text : '',
        scopedJson: call.arguments.some((argument) => argument.getText(sourceFile).replace(/\s/g, '') === 'express.json()'),
        bodyErrorsLast: last !== undefined && ts.isPropertyAccessExpression(last) && isMemberOf(last, isrNames, 'invalidateBodyErrors'),
        index,
      });
    }
    if (calls.some((c) => isCallOn(c, isrNames, 'handle'))) shape.handleCalls.push({ index });
    if (calls.some((c) => isCallOn(c, isrNames, 'serveFromCache'))) shape.serveFromCacheCalls.push({ index });
    if (shape.staticIndex === -1 && call.arguments.some((a) => /^express\.static\(/.test(a.getText(sourceFile)))) {
      shape.staticIndex = index;
    }
  }
  for (const call of descendantsCalls(sourceFile)) {
    if (ts.isPropertyAccessExpression(call.expression) && call.expression.name.text === 'listen') {
      shape.listens.push({ throughFastPath: isFastPathCall(call.expression.expression) });
    }
    if (ts.isIdentifier(call.expression) && call.expression.text === 'createNodeRequestHandler') {
      shape.requestHandlers.push({ throughFastPath: isFastPathCall(call.arguments[0]) });
    }
  }
  shape.engineCalls = descendantsCalls(sourceFile).filter(
    (c) => isCallOn(c, engineNames, 'handle') || isCallOn(c, engineNames, 'render'),
  ).length;
  return shape;
}

function isMemberOf(read: ts.PropertyAccessExpression, objects: ReadonlySet<string>, member: string): boolean {
  return read.name.text === member && ts.isIdentifier(read.expression) && objects.has(read.expression.text);
}

function memberReads(root: ts.Node): ts.PropertyAccessExpression[] {
  const reads: ts.PropertyAccessExpression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node)) reads.push(node);
    ts.forEachChild(node, visit);
  };
  visit(root);
  return reads;
}

function isCallOn(call: ts.CallExpression, objects: ReadonlySet<string>, member: string): boolean {
  return (
    ts.isPropertyAccessExpression(call.expression) &&
    call.expression.name.text === member &&
    ts.isIdentifier(call.expression.expression) &&
    objects.has(call.expression.expression.text)
  );
}

function descendantsCalls(root: ts.Node): ts.CallExpression[] {
  const calls: ts.CallExpression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) calls.push(node);
    ts.forEachChild(node, visit);
  };
  visit(root);
  return calls;
}

/** Statements directly inside the file or a function body (where apps register middleware). */
function allStatements(sourceFile: ts.SourceFile): ts.Statement[] {
  const statements: ts.Statement[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isSourceFile(node) || ts.isBlock(node)) && !ts.isArrowFunction(node.parent ?? node)) {
      statements.push(...node.statements);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return statements.filter((statement) => {
    // Only statements of the file or of a function declaration's body, not of handler bodies.
    const owner = statement.parent.parent;
    return ts.isSourceFile(statement.parent) || (owner !== undefined && ts.isFunctionDeclaration(owner));
  });
}
