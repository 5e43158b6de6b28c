// ng add over the files each Angular release's own schematics generate for `ng new demo --ssr`
// (17, 18, 19 CommonEngine, 19 --server-routing, 20, 22 via npm-aliased @schematics/angular-vNN;
// 21 = the devDependency, standalone and NgModule).
import { V21_DEMO_LAYOUT, describeVariants } from './support/describe-variant';
import { DEV_DEPENDENCY_TYPES, eraTypes } from './support/type-check';
import { currentWorkspace, releaseWorkspace } from './support/workspaces';

// A cold cache generates the workspaces and installs each era's types (npm) once; later runs reuse them.
jest.setTimeout(600_000);

describeVariants([
  {
    name: 'Angular 21 standalone (AngularNodeAppEngine, app.use(fn))',
    files: () => currentWorkspace({ standalone: true }),
    ...V21_DEMO_LAYOUT,
    golden: 'v20-v22-app-engine.server.ts',
    otherGoldens: {
      '/projects/demo/src/app/app.config.server.ts': 'v21-standalone.app.config.server.ts',
      '/projects/demo/src/app/app.routes.server.ts': 'v21.app.routes.server.ts',
    },
  },
  {
    name: 'Angular 21 NgModule (standalone: false)',
    files: () => currentWorkspace({ standalone: false }),
    project: 'demo',
    serverEntry: '/projects/demo/src/server.ts',
    serverConfig: '/projects/demo/src/app/app.module.server.ts',
    serverRoutes: '/projects/demo/src/app/app.routes.server.ts',
    engine: 'angularAppEngine',
    types: () => [DEV_DEPENDENCY_TYPES],
    otherGoldens: { '/projects/demo/src/app/app.module.server.ts': 'v21-ngmodule.app.module.server.ts' },
  },
  {
    name: 'Angular 17 (CommonEngine, export function app(), server.get("*"), prerender: true)',
    files: () => releaseWorkspace(17),
    project: 'demo',
    serverEntry: '/server.ts',
    serverConfig: '/src/app/app.config.server.ts',
    engine: 'commonEngine',
    types: (files) => [eraTypes('v17', files)],
    golden: 'v17-v18-common-engine.server.ts',
  },
  {
    name: 'Angular 17 NgModule (AppServerModule as bootstrap)',
    files: () => releaseWorkspace(17, { standalone: false }),
    project: 'demo',
    serverEntry: '/server.ts',
    serverConfig: '/src/app/app.module.server.ts',
    engine: 'commonEngine',
    types: (files) => [eraTypes('v17', files)],
    otherGoldens: { '/src/app/app.module.server.ts': 'v17-ngmodule.app.module.server.ts' },
  },
  {
    name: 'Angular 18 (CommonEngine, server.get("**"), static on "**")',
    files: () => releaseWorkspace(18),
    project: 'demo',
    serverEntry: '/server.ts',
    serverConfig: '/src/app/app.config.server.ts',
    engine: 'commonEngine',
    types: (files) => [eraTypes('v18', files)],
  },
  {
    name: 'Angular 19 CommonEngine (top-level app, @angular/ssr/node, app.get("**"))',
    files: () => releaseWorkspace(19),
    project: 'demo',
    serverEntry: '/src/server.ts',
    serverConfig: '/src/app/app.config.server.ts',
    engine: 'commonEngine',
    types: (files) => [eraTypes('v19', files), DEV_DEPENDENCY_TYPES],
    golden: 'v19-common-engine.server.ts',
  },
  {
    name: 'Angular 19 --server-routing (AngularNodeAppEngine, app.use("/**"))',
    files: () => releaseWorkspace(19, { serverRouting: true }),
    project: 'demo',
    serverEntry: '/src/server.ts',
    serverConfig: '/src/app/app.config.server.ts',
    serverRoutes: '/src/app/app.routes.server.ts',
    engine: 'angularAppEngine',
    types: (files) => [eraTypes('v19', files), DEV_DEPENDENCY_TYPES],
    golden: 'v19-server-routing.server.ts',
  },
  {
    name: 'Angular 20 (AngularNodeAppEngine, Express 5)',
    files: () => releaseWorkspace(20),
    project: 'demo',
    serverEntry: '/src/server.ts',
    serverConfig: '/src/app/app.config.server.ts',
    serverRoutes: '/src/app/app.routes.server.ts',
    engine: 'angularAppEngine',
    types: (files) => [eraTypes('v20', files)],
  },
  {
    name: 'Angular 22 (AngularNodeAppEngine, Express 5)',
    files: () => releaseWorkspace(22),
    project: 'demo',
    serverEntry: '/src/server.ts',
    serverConfig: '/src/app/app.config.server.ts',
    serverRoutes: '/src/app/app.routes.server.ts',
    engine: 'angularAppEngine',
    types: (files) => [eraTypes('v22', files), DEV_DEPENDENCY_TYPES],
  },
]);
