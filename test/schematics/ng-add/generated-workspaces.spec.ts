// The package-install task imports the ESM-only `ora` spinner, which jest's CommonJS runtime cannot
// load; no test here runs the install task (it is only scheduled), so the spinner is left out.
jest.mock('ora', () => ({}));

// ng add over the files each Angular release's own schematics generate for `ng new demo --ssr`
// (17, 18, 19 CommonEngine, 19 --server-routing, 20, 22 via npm-aliased @schematics/angular-vNN;
// 21 = the devDependency, standalone and NgModule).
import { describeVariant } from './support/describe-variant';
import { DEV_DEPENDENCY_TYPES, eraTypes } from './support/type-check';
import { currentWorkspace, releaseWorkspace } from './support/workspaces';

jest.setTimeout(240_000);

describeVariant({
  name: 'Angular 21 standalone (AngularNodeAppEngine, app.use(fn))',
  files: () => currentWorkspace({ standalone: true }),
  project: 'demo',
  serverEntry: '/projects/demo/src/server.ts',
  serverConfig: '/projects/demo/src/app/app.config.server.ts',
  serverRoutes: '/projects/demo/src/app/app.routes.server.ts',
  engine: 'angularAppEngine',
  types: () => [DEV_DEPENDENCY_TYPES],
  golden: 'v20-v22-app-engine.server.ts',
});

describeVariant({
  name: 'Angular 21 NgModule (standalone: false)',
  files: () => currentWorkspace({ standalone: false }),
  project: 'demo',
  serverEntry: '/projects/demo/src/server.ts',
  serverConfig: '/projects/demo/src/app/app.module.server.ts',
  serverRoutes: '/projects/demo/src/app/app.routes.server.ts',
  engine: 'angularAppEngine',
  types: () => [DEV_DEPENDENCY_TYPES],
});

describeVariant({
  name: 'Angular 17 (CommonEngine, export function app(), server.get("*"), prerender: true)',
  files: () => releaseWorkspace(17),
  project: 'demo',
  serverEntry: '/server.ts',
  serverConfig: '/src/app/app.config.server.ts',
  engine: 'commonEngine',
  types: (files) => [eraTypes('v17', files)],
  golden: 'v17-v18-common-engine.server.ts',
});
