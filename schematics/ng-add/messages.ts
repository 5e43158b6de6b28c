import type { EngineKind } from './express-server';
import { PrerenderedCatchAll } from './server-routes';
import { WorkspaceChanges } from './workspace-config';

/** A line for the ng add log. */
export interface LogMessage {
  level: 'info' | 'warn';
  text: string;
}

/** What ng add did (or left on purpose) in the server routes file. */
export function serverRoutesMessages(routesFile: string, routes: PrerenderedCatchAll): LogMessage[] {
  const messages: LogMessage[] = [];
  if (routes.otherPrerendered.length > 0) {
    messages.push({
      level: 'info',
      text:
        `${routesFile}: ${routes.otherPrerendered.map((path) => `'${path}'`).join(', ')} stay RenderMode.Prerender; ` +
        'those pages are static files that bypass ISR (use RenderMode.Server to cache them with ISR).',
    });
  }
  if (routes.switched > 0) {
    messages.push({
      level: 'info',
      text:
        `${routesFile}: the '**' route now renders with RenderMode.Server instead of RenderMode.Prerender, so that ISR ` +
        'caches and revalidates its pages (prerendered pages are static files ISR never sees). Use --keep-prerender to keep prerendering.',
    });
  } else if (routes.kept > 0) {
    messages.push({
      level: 'warn',
      text: `${routesFile}: the '**' route keeps RenderMode.Prerender (--keep-prerender); those pages are served as static files and bypass ISR.`,
    });
  }
  return messages;
}

/** What ng add did about build-time prerendering (`"prerender"` in angular.json, Angular 17-19). */
export function prerenderMessages(changes: WorkspaceChanges, projectName: string): LogMessage[] {
  const describe = (configurations: (string | undefined)[]) =>
    configurations.map((name) => (name ? `the "${name}" configuration` : 'the build options')).join(', ');
  const messages: LogMessage[] = [];
  if (changes.prerenderOff.length > 0) {
    messages.push({
      level: 'info',
      text:
        `angular.json: "prerender" is now false in ${describe(changes.prerenderOff)} of "${projectName}": ` +
        'prerendered pages are static files that express.static serves before ISR. Use --keep-prerender to keep prerendering.',
    });
  }
  if (changes.prerenderKept.length > 0) {
    messages.push({
      level: 'warn',
      text: `angular.json: "prerender" stays on in ${describe(changes.prerenderKept)} (--keep-prerender); prerendered pages bypass ISR.`,
    });
  }
  return messages;
}

/** What the closing line of a successful run needs to know. */
export interface ClosingInfo {
  projectName: string;
  tokenEnv: string;
  invalidatePath: string;
  /** The engine server.ts renders with (undefined when ng add could not tell). */
  engine: EngineKind | undefined;
  /** `[major, minor]` of the app's `@angular/ssr` (undefined when unknown). */
  angularVersion: readonly [number, number] | undefined;
}

/**
 * Whether the app's engine validates the Host header: `allowedHosts` / `NG_ALLOWED_HOSTS` exist from
 * Angular 19.2 on (both engines; backported to the 19.2 and 20.3 patch lines). An unknown version
 * gets the hint too: a needless line is cheaper than uncached pages.
 */
export function engineChecksHost(angularVersion: ClosingInfo['angularVersion']): boolean {
  if (!angularVersion) return true;
  const [major, minor] = angularVersion;
  return major > 19 || (major === 19 && minor >= 2);
}

/** The closing log line of a successful run: what to do next, and the two settings ISR needs at run time. */
export function closingMessage(info: ClosingInfo): string {
  const lines = [
    'ng-isr is set up. Opt routes in with `data: { revalidate: 60 }` (or `ng generate isr-route`). On the server, set:',
    `  - ${info.tokenEnv}: the token of POST ${info.invalidatePath} (\`ng run ${info.projectName}:isr-invalidate\`); ` +
      'the endpoint answers 403 until it is set.',
  ];
  if (engineChecksHost(info.angularVersion)) {
    const option = info.engine === 'common-engine' ? '`allowedHosts` of new CommonEngine()' : '`security.allowedHosts` in angular.json';
    lines.push(
      `  - NG_ALLOWED_HOSTS (or ${option}): your real host names. Requests for other hosts get the ` +
        'client-side shell, which ng-isr never caches.',
    );
  }
  return lines.join('\n');
}

/** `[major, minor]` of a version or range such as `^21.2.0` or `21.2.24` (undefined for `latest`, tags, URLs). */
export function versionOf(range: string | undefined): [number, number] | undefined {
  const match = range === undefined ? null : /^[\^~>=v\s]*(\d+)\.(\d+)/.exec(range);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/** The manual steps of a move from @rx-angular/isr / ngx-isr, printed when ng add cannot do it. */
export const MIGRATION_STEPS = [
  'Coming from @rx-angular/isr or ngx-isr, also (docs/migrating.md):',
  '- replace their ISRHandler import and options (the table in docs/migrating.md), keeping your token expression;',
  '- delete their express.json() + isr.invalidate route and the serveFromCache/render catch-all (the lines above replace them);',
  '- take provideISR from ng-isr, drop isrHttpInterceptors and NgxIsrModule/IsrModule;',
  '- remove @rx-angular/isr / ngx-isr from package.json.',
].join('\n');
