// ng add options: token env var, endpoint path, keeping prerendering; and that the type-check used
// by the variant specs does catch a wrong call (so a green type-check means something).
import { V21_DEMO_LAYOUT, Variant, describeVariants } from './support/describe-variant';
import { runNgAdd, text } from './support/run-ng-add';
import { DEV_DEPENDENCY_TYPES, eraTypes, typeCheckWorkspaces } from './support/type-check';
import { currentWorkspace, releaseWorkspace, withServerFixture } from './support/workspaces';

// A cold cache generates the workspaces and installs each era's types (npm) once; later runs reuse them.
jest.setTimeout(600_000);

const custom = { tokenEnv: 'SITE_PURGE_TOKEN', invalidatePath: '/_isr/purge', keepPrerender: true };

const variants: Variant[] = [
  {
    name: 'Angular 21 with --token-env, --invalidate-path, --keep-prerender',
    files: () => currentWorkspace({ standalone: true }),
    ...V21_DEMO_LAYOUT,
    options: custom,
  },
  {
    name: 'Angular 17 with --keep-prerender (prerender stays true)',
    files: () => releaseWorkspace(17),
    project: 'demo',
    serverEntry: '/server.ts',
    serverConfig: '/src/app/app.config.server.ts',
    engine: 'commonEngine',
    types: (files) => [eraTypes('v17', files)],
    options: custom,
  },
];
describeVariants(variants);

describe('options in detail', () => {
  it('keeps the ng-isr specifier ng add installed (a tarball here) instead of replacing it with a range', async () => {
    const files = await currentWorkspace({ standalone: true });
    const manifest = JSON.parse(files.get('/package.json')!.toString('utf8'));
    manifest.dependencies['ng-isr'] = 'file:../ng-isr-0.1.0.tgz';
    files.set('/package.json', Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));
    const run = await runNgAdd(files, { project: 'demo' });
    expect(JSON.parse(text(run.files, '/package.json')).dependencies['ng-isr']).toBe('file:../ng-isr-0.1.0.tgz');
  });

  it('stores --base-url in the isr-invalidate and isr-warm targets only when it was given, and never default URLs', async () => {
    const files = await currentWorkspace({ standalone: true });
    const targets = async (options: Record<string, unknown>) => {
      const architect = JSON.parse(text((await runNgAdd(files, { project: 'demo', ...options })).files, '/angular.json')).projects.demo
        .architect;
      return { invalidate: architect['isr-invalidate'], warm: architect['isr-warm'] };
    };

    // An empty options object is left out of angular.json by the CLI's workspace writer.
    const plain = await targets({});
    expect(plain.invalidate.options ?? {}).toEqual({});
    expect(plain.warm).toEqual({ builder: 'ng-isr:isr-warm', ...(plain.warm.options ? { options: {} } : {}) });
    const withUrl = await targets({ baseUrl: 'https://example.com' });
    expect(withUrl.invalidate.options).toEqual({ baseUrl: 'https://example.com' });
    expect(withUrl.warm).toEqual({ builder: 'ng-isr:isr-warm', options: { baseUrl: 'https://example.com' } });
  });

  it('keeps an isr-warm target the user already has', async () => {
    const files = await currentWorkspace({ standalone: true });
    const workspace = JSON.parse(text(files, '/angular.json'));
    workspace.projects.demo.architect['isr-warm'] = { builder: 'ng-isr:isr-warm', options: { sitemap: '/pages.xml' } };
    files.set('/angular.json', Buffer.from(JSON.stringify(workspace, null, 2) + '\n'));
    const run = await runNgAdd(files, { project: 'demo', baseUrl: 'https://example.com' });
    expect(JSON.parse(text(run.files, '/angular.json')).projects.demo.architect['isr-warm'].options).toEqual({ sitemap: '/pages.xml' });
  });

  it('passes a custom path and token variable on to the isr-invalidate target, and warns about kept prerendering', async () => {
    const run = await runNgAdd(await currentWorkspace({ standalone: true }), { project: 'demo', ...custom });
    const target = JSON.parse(text(run.files, '/angular.json')).projects.demo.architect['isr-invalidate'];
    expect(target.options).toEqual({ path: '/_isr/purge', tokenEnv: 'SITE_PURGE_TOKEN' });
    expect(text(run.files, '/projects/demo/src/app/app.routes.server.ts')).toContain('RenderMode.Prerender');
    const warnings = run.logs.filter((entry) => entry.level === 'warn').map((entry) => entry.message);
    expect(warnings).toEqual([expect.stringMatching(/keeps RenderMode\.Prerender \(--keep-prerender\).*bypass ISR/)]);
  });

  it('ends with the run-time settings: the token variable, and the allowed hosts where the engine checks Host', async () => {
    const closing = (run: { logs: { level: string; message: string }[] }) =>
      run.logs.filter((entry) => entry.level === 'info' && entry.message.startsWith('ng-isr is set up.')).map((entry) => entry.message);
    const v21 = closing(await runNgAdd(await currentWorkspace({ standalone: true }), { project: 'demo', tokenEnv: 'SITE_PURGE_TOKEN' }));
    expect(v21).toEqual([expect.stringContaining('SITE_PURGE_TOKEN: the token of POST /api/invalidate')]);
    expect(v21[0]).toContain('NG_ALLOWED_HOSTS (or `security.allowedHosts` in angular.json)');
    const v19 = closing(await runNgAdd(releaseWorkspace(19), { project: 'demo' }));
    expect(v19).toEqual([expect.stringContaining('NG_ALLOWED_HOSTS (or `allowedHosts` of new CommonEngine())')]);
    expect(v19[0]).toContain('ISR_INVALIDATE_TOKEN');
    const v17 = closing(await runNgAdd(releaseWorkspace(17), { project: 'demo' }));
    expect(v17).toEqual([expect.stringContaining('ISR_INVALIDATE_TOKEN')]);
    expect(v17[0]).not.toContain('NG_ALLOWED_HOSTS');
  });

  it('turns build-time prerendering off by default in 17-19 and logs it', async () => {
    const run = await runNgAdd(releaseWorkspace(18), { project: 'demo' });
    expect(JSON.parse(text(run.files, '/angular.json')).projects.demo.architect.build.options.prerender).toBe(false);
    const infos = run.logs.filter((entry) => entry.level === 'info').map((entry) => entry.message);
    expect(infos).toContainEqual(expect.stringMatching(/"prerender" is now false in the build options of "demo".*--keep-prerender/));
  });

  it('keeps the schematic collections a workspace already lists, @schematics/angular after ng-isr', async () => {
    const files = await currentWorkspace({ standalone: true });
    const workspace = JSON.parse(text(files, '/angular.json'));
    workspace.cli = { ...workspace.cli, schematicCollections: ['@angular-eslint/schematics'] };
    const run = await runNgAdd(new Map(files).set('/angular.json', Buffer.from(JSON.stringify(workspace, null, 2))), { project: 'demo' });
    expect(JSON.parse(text(run.files, '/angular.json')).cli.schematicCollections).toEqual([
      'ng-isr',
      '@angular-eslint/schematics',
      '@schematics/angular',
    ]);
  });

  it('says why cached pages are not answered before express.static when middleware sits in between', async () => {
    const files = withServerFixture(
      await currentWorkspace({ standalone: true }),
      '/projects/demo/src/server.ts',
      'middleware-after-static',
    );
    const run = await runNgAdd(files, { project: 'demo' });
    const infos = run.logs.filter((entry) => entry.level === 'info').map((entry) => entry.message);
    expect(infos).toContainEqual(expect.stringMatching(/after your middleware between express\.static and the catch-all/));
  });

  it("says that a global express.json() keeps the app's own error handling for the invalidate route", async () => {
    const files = withServerFixture(await currentWorkspace({ standalone: true }), '/projects/demo/src/server.ts', 'customised-api-routes');
    const run = await runNgAdd(files, { project: 'demo' });
    const infos = run.logs.filter((entry) => entry.level === 'info').map((entry) => entry.message);
    expect(infos).toContainEqual(
      expect.stringContaining("/api/invalidate uses the app's own app.use(express.json()), so malformed or oversized bodies"),
    );
    const scoped = await runNgAdd(await currentWorkspace({ standalone: true }), { project: 'demo' });
    expect(scoped.logs.map((entry) => entry.message).join('\n')).not.toContain('app.use(express.json())');
  });

  it('keeps CRLF line endings (files checked out on Windows) and stays idempotent', async () => {
    const server = '/projects/demo/src/server.ts';
    const files = await currentWorkspace({ standalone: true });
    const crlf = new Map(files).set(server, Buffer.from(text(files, server).replace(/\n/g, '\r\n')));
    const first = await runNgAdd(crlf, { project: 'demo' });
    const rewritten = text(first.files, server);
    expect(rewritten).toContain('isr.handle(req, res, next);\r\n');
    expect(rewritten.replace(/\r\n/g, '')).not.toContain('\n');
    const second = await runNgAdd(first.files, { project: 'demo' });
    expect(text(second.files, server)).toBe(rewritten);
  });

  it('schedules the package install only when package.json changed', async () => {
    const first = await runNgAdd(await currentWorkspace({ standalone: true }), { project: 'demo' });
    expect(first.tasks).toContain('node-package');
    const second = await runNgAdd(first.files, { project: 'demo' });
    expect(second.tasks).toEqual([]);
  });

  it('the type-check reports a wrong ISR call (negative control)', async () => {
    const run = await runNgAdd(await currentWorkspace({ standalone: true }), { project: 'demo' });
    const server = '/projects/demo/src/server.ts';
    const broken = new Map(run.files).set(
      server,
      Buffer.from(text(run.files, server).replace('isr.handle(req, res, next)', 'isr.handle(req)')),
    );
    const diagnostics = typeCheckWorkspaces([{ name: 'broken', files: broken, entries: [server.slice(1)] }], DEV_DEPENDENCY_TYPES);
    expect(diagnostics.get('broken')).toEqual([expect.stringMatching(/src\/server\.ts:\d+:\d+ Expected 3 arguments, but got 1/)]);
  });
});
