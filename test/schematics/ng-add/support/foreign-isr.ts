import { text } from './run-ng-add';
import { WorkspaceFiles } from './tree-files';
import { withServerFixture } from './workspaces';

/** How an app wired to @rx-angular/isr or ngx-isr differs from the workspace its release generated. */
export interface ForeignSetup {
  packageName: '@rx-angular/isr' | 'ngx-isr';
  serverEntry: string;
  fixture: string;
  serverConfig: string;
  /** Extra files of the app (path -> content). */
  extraFiles?: Record<string, string>;
}

/**
 * A generated workspace turned into one set up with the old library, as its docs describe: the
 * fixture server.ts, the package in package.json, and `provideISR()` + `isrHttpInterceptors` from its
 * `/server` entry point in the server config.
 */
export function withForeignIsr(files: WorkspaceFiles, setup: ForeignSetup): WorkspaceFiles {
  const result = withServerFixture(files, setup.serverEntry, setup.fixture);
  const manifest = JSON.parse(text(result, '/package.json'));
  manifest.dependencies[setup.packageName] = setup.packageName === 'ngx-isr' ? '^0.5.5' : '^21.0.2';
  result.set('/package.json', Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));
  const config = text(result, setup.serverConfig)
    .replace(
      /^(import .*\n)(?!import)/m,
      `$1import { provideHttpClient, withInterceptors } from '@angular/common/http';\n` +
        `import { isrHttpInterceptors, provideISR } from '${setup.packageName}/server';\n`,
    )
    .replace(
      /provideServerRendering\(([^)]*)\)/,
      'provideServerRendering($1),\n    provideISR(),\n    provideHttpClient(withInterceptors(isrHttpInterceptors))',
    );
  result.set(setup.serverConfig, Buffer.from(config));
  for (const [path, content] of Object.entries(setup.extraFiles ?? {})) result.set(path, Buffer.from(content));
  return result;
}
