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
