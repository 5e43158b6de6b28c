// Shapes ng add refuses on purpose: it changes nothing at all and logs why, with the lines to add by
// hand (or the command to run first).
import { changedPaths, runFailingNgAdd, text } from './support/run-ng-add';
import { logging } from '@angular-devkit/core';
import { SchematicsException } from '@angular-devkit/schematics';
import { NodeWorkflow } from '@angular-devkit/schematics/tools';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { WorkspaceFiles, readFolder, writeFiles } from './support/tree-files';
import { currentWorkspace, withServerFixture } from './support/workspaces';

jest.setTimeout(120_000);

const SERVER = '/projects/demo/src/server.ts';

function editAngularJson(files: WorkspaceFiles, edit: (build: Record<string, any>, project: Record<string, any>) => void): WorkspaceFiles {
  const workspace = JSON.parse(text(files, '/angular.json'));
  const project = workspace.projects.demo;
  edit(project.architect.build, project);
  return new Map(files).set('/angular.json', Buffer.from(JSON.stringify(workspace, null, 2) + '\n'));
}

/**
 * Runs ng add and expects a refusal: the run rejects (so `ng add` exits non-zero) with a one-line
 * summary that does not repeat the reason (the CLI prints it after the log), the tree it was given
 * is unchanged (no server.ts, package.json or angular.json edit), no install is scheduled, and one
 * error explains why with the lines to add by hand.
 */
async function expectRefusal(files: WorkspaceFiles, pattern: RegExp): Promise<string> {
  const run = await runFailingNgAdd(files, { project: 'demo' });
  expect(run.error).toBeInstanceOf(SchematicsException);
  expect(run.error.message).not.toContain('\n');
  expect(run.error.message).toMatch(/^ng add ng-isr stopped: nothing was set up \(see the error above\)\.$/);
  expect(run.error.message).not.toMatch(pattern);
  expect(changedPaths(files, run.files)).toEqual([]);
  expect(run.tasks).toEqual([]);
  const errors = run.logs.filter((entry) => entry.level === 'error').map((entry) => entry.message);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(pattern);
  return errors[0]!;
}

describe('ng add refuses unknown shapes without changing anything', () => {
  let standalone: WorkspaceFiles;
  beforeAll(async () => {
    standalone = await currentWorkspace({ standalone: true });
  });

  it.each([
    ['refused-custom-catch', /`\.catch\(\.\.\.\)` of the engine call does more than pass the error to next\(err\)/],
    ['refused-named-handler', /no app\.use\/app\.get handler renders with the engine/],
    ['refused-async-custom', /the try\/catch around `await engine\.handle\(req\)` does more than/],
  ])('%s: explains why and prints the lines to add by hand', async (fixture, reason) => {
    const message = await expectRefusal(withServerFixture(standalone, SERVER, fixture), reason);
    expect(message).toContain(`ng-isr could not set up projects/demo/src/server.ts`);
    expect(message).toContain('Nothing was changed.');
    expect(message).toContain("import { ISRHandler } from 'ng-isr';");
    expect(message).toContain(
      "new ISRHandler({ angularAppEngine: angularApp, invalidateSecretToken: process.env['ISR_INVALIDATE_TOKEN'] });",
    );
    expect(message).toContain("app.post('/api/invalidate', express.json(), isr.invalidate, isr.invalidateBodyErrors);");
    expect(message).toContain('app.use((req, res, next) => isr.serveFromCache(req, res, next));');
    expect(message).toContain('app.use((req, res, next) => isr.handle(req, res, next));');
  });

  it("prints the lines in the file's own names (server instead of app, its engine variable)", async () => {
    const fixture = withServerFixture(standalone, SERVER, 'refused-custom-catch');
    const renamed = text(fixture, SERVER)
      .replace(/\bapp\b/g, 'server')
      .replace(/\bangularApp\b/g, 'engine');
    const message = await expectRefusal(new Map(fixture).set(SERVER, Buffer.from(renamed)), /does more than pass the error/);
    expect(message).toContain("new ISRHandler({ angularAppEngine: engine, invalidateSecretToken: process.env['ISR_INVALIDATE_TOKEN'] });");
    expect(message).toContain("server.post('/api/invalidate', express.json(), isr.invalidate, isr.invalidateBodyErrors);");
    expect(message).toContain('server.use((req, res, next) => isr.handle(req, res, next));');
  });

  it('points a project without SSR to ng add @angular/ssr', async () => {
    const files = await currentWorkspace({ standalone: true, ssr: false });
    await expectRefusal(files, /has no server-side rendering\. Add it first with `ng add @angular\/ssr`/);
  });

  it('says once why, then how to remove the package `ng add` installed before running the schematic', async () => {
    const noSsr = await currentWorkspace({ standalone: true, ssr: false });
    const pkg = JSON.parse(text(noSsr, '/package.json'));
    pkg.dependencies['ng-isr'] = '^0.1.0'; // what `ng add` saved before it ran ng-add
    const installed = new Map(noSsr).set('/package.json', Buffer.from(JSON.stringify(pkg, null, 2) + '\n'));
    const run = await runFailingNgAdd(installed, { project: 'demo' });

    const printed = [...run.logs.map((entry) => entry.message), run.error.message].join('\n');
    expect(printed.match(/has no server-side rendering/g)).toHaveLength(1);
    expect(run.error.message).toBe(
      'ng add ng-isr stopped: nothing was set up (see the error above). ng-isr stays installed: ' +
        'remove it with `npm uninstall ng-isr`, or run `ng add ng-isr` again once that is fixed.',
    );
    const yarn = new Map(installed).set('/yarn.lock', Buffer.from(''));
    expect((await runFailingNgAdd(yarn, { project: 'demo' })).error.message).toContain('`yarn remove ng-isr`');
  });

  it('refuses the webpack server builder clearly', async () => {
    const files = editAngularJson(standalone, (build, project) => {
      build['builder'] = '@angular-devkit/build-angular:browser';
      project['architect']['server'] = { builder: '@angular-devkit/build-angular:server', options: { main: 'server.ts' } };
    });
    await expectRefusal(files, /webpack builders \(@angular-devkit\/build-angular:server\).*use-application-builder/);
  });

  it('refuses SSR without a server entry (nothing to route through ISR)', async () => {
    const files = editAngularJson(standalone, (build) => {
      build['options']['ssr'] = true;
    });
    await expectRefusal(files, /without an Express server file \(build\.options\.ssr\.entry is not set\)/);
  });

  it('refuses a server config it cannot extend, before touching server.ts', async () => {
    const files = new Map(standalone).set(
      '/projects/demo/src/app/app.config.server.ts',
      Buffer.from(
        "import { ApplicationConfig } from '@angular/core';\nexport const config: ApplicationConfig = makeConfig();\ndeclare function makeConfig(): ApplicationConfig;\n",
      ),
    );
    const message = await expectRefusal(files, /could not set up projects\/demo\/src\/app\/app\.config\.server\.ts/);
    expect(message).toContain('provideISR(),');
  });

  it('fails the run the way the CLI runs it (NodeWorkflow on disk) and leaves every file on disk as it was', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ng-isr-refusal-'));
    try {
      writeFiles(root, withServerFixture(standalone, SERVER, 'refused-named-handler'));
      const before = readFolder(root);
      const workflow = new NodeWorkflow(root, {});
      const logger = new logging.Logger('ng-add');
      const errors: string[] = [];
      logger.subscribe((entry) => entry.level === 'error' && errors.push(entry.message));
      const options = { project: 'demo' };
      const run = lastValueFrom(
        workflow.execute({
          collection: join(__dirname, '../../../collection.json'),
          schematic: 'ng-add',
          options,
          logger,
        }),
        { defaultValue: undefined },
      );
      await expect(run).rejects.toThrow(/^ng add ng-isr stopped: nothing was set up \(see the error above\)\./);
      expect(errors).toEqual([expect.stringMatching(/could not set up projects\/demo\/src\/server\.ts: no app\.use\/app\.get handler/)]);
      expect(errors).toEqual([expect.stringContaining("import { ISRHandler } from 'ng-isr';")]);
      expect(changedPaths(before, readFolder(root))).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
