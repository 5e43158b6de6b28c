import { InsertChange } from '@schematics/angular/utility/change';
import type * as ts from 'typescript';
import { lineIndentAt, quoted } from '../utils/code-style';
import { isGlobalJsonParser, referencesMember } from './express-server';
import { ServerPlanContext, StepPlan, comment } from './server-plan';

/**
 * Plans `POST <invalidatePath>` for on-demand invalidation, in front of express.static (or of the
 * catch-all): with its own JSON body parser and JSON errors, or the app's global parser when it has
 * one. Nothing when `isr.invalidate` is routed already (bound, or called from an inline handler).
 */
export function planInvalidateRoute(context: ServerPlanContext): StepPlan {
  const { tsModule, server, style, options, appName, isrName, blockComments } = context;
  if (server.appCalls.some((call) => call.method === 'post' && referencesMember(tsModule, call.call, isrName, 'invalidate'))) {
    return { changes: [] };
  }
  const lines = comment(blockComments, 'On-demand revalidation: POST { token, urlsToInvalidate } to drop pages from the ISR cache.');
  const messages: string[] = [];
  const path = quoted(style, options.invalidatePath);
  if (context.callsBefore.some((call) => isGlobalJsonParser(tsModule, server, call))) {
    // The app parses JSON for every route already; its own error handling answers bad bodies
    // (a route's error middleware never sees errors of middleware registered before the route).
    lines.push(`${appName}.post(${path}, ${isrName}.invalidate)${style.semicolon}`);
    messages.push(
      `${options.invalidatePath} uses the app's own app.use(express.json()), so malformed or oversized bodies there are ` +
        `answered by your error handling, not as JSON; ${isrName}.invalidateBodyErrors can answer them ` +
        `(app.use(${path}, ${isrName}.invalidateBodyErrors) after the route).`,
    );
  } else {
    // The body parser only for this route; the comment inside the call keeps formatters from joining the lines.
    lines.push(
      `${appName}.post(`,
      `${style.indentUnit}${path},`,
      `${style.indentUnit}${server.expressName}.json(),`,
      `${style.indentUnit}${isrName}.invalidate,`,
      `${style.indentUnit}// Answers malformed or oversized JSON with a JSON error, not an HTML page.`,
      `${style.indentUnit}${isrName}.invalidateBodyErrors${style.trailingComma}`,
      `)${style.semicolon}`,
    );
  }
  return { changes: [insertRouteLines(context, lines)], messages };
}

/**
 * Plans the early cache lookup (`app.use((req, res, next) => isr.serveFromCache(req, res, next))`)
 * in front of express.static. Middleware registered between the static files and the catch-all
 * (auth, headers...) must still run for cached pages, so then there is none (`isr.handle` looks up
 * the cache after that middleware), and the log says so.
 */
export function planCacheMiddleware(context: ServerPlanContext): StepPlan {
  const { tsModule, sourceFile, style, appName, isrName, staticCall } = context;
  if (!staticCall || referencesMember(tsModule, sourceFile, isrName, 'serveFromCache')) return { changes: [] };
  const between = context.callsBefore.filter(
    (call) => call.statement.pos > staticCall.statement.pos && call.method === 'use' && call !== staticCall,
  );
  if (between.length > 0) {
    return {
      changes: [],
      messages: [
        `Cached pages are looked up by ${isrName}.handle after your middleware between express.static and the catch-all ` +
          '(not before express.static), so that middleware keeps running for every page.',
      ],
    };
  }
  const lines = [
    ...comment(context.blockComments, 'Serve cached pages before the static file lookup; other requests fall through.'),
    `${appName}.use((req, res, next) => ${isrName}.serveFromCache(req, res, next))${style.semicolon}`,
  ];
  return { changes: [insertRouteLines(context, lines)] };
}

/** New routes go in front of express.static (or of the catch-all when the file serves no static files), each group followed by a blank line. */
function insertRouteLines({ tsModule, sourceFile, style, staticCall, anchor }: ServerPlanContext, lines: string[]): InsertChange {
  const insertBefore = staticCall?.statement ?? anchor;
  const indent = lineIndentAt(sourceFile.text, insertBefore.getStart(sourceFile));
  const block = lines.map((line) => indent + line).join(style.newline);
  return new InsertChange(
    sourceFile.fileName,
    lineStartBeforeComments(tsModule, sourceFile, insertBefore),
    block + style.newline + style.newline,
  );
}

/** The start of the line where a statement's leading comments begin (insert new statements there). */
export function lineStartBeforeComments(tsModule: typeof ts, sourceFile: ts.SourceFile, statement: ts.Statement): number {
  const text = sourceFile.text;
  const comments = tsModule.getLeadingCommentRanges(text, statement.getFullStart()) ?? [];
  // Only the comments directly attached to the statement (no blank line in between).
  let start = statement.getStart(sourceFile);
  for (let i = comments.length - 1; i >= 0; i--) {
    const range = comments[i]!;
    const gap = text.slice(range.end, start);
    if (/\n[ \t]*\r?\n/.test(gap)) break;
    start = range.pos;
  }
  return text.lastIndexOf('\n', start - 1) + 1;
}
