// `ng add ng-isr --dry-run`: run through NodeWorkflow (what the Angular CLI uses) over a workspace on
// disk; the run reports its updates and leaves every file on disk untouched.
import { NodeWorkflow } from '@angular-devkit/schematics/tools';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { changedPaths } from './support/run-ng-add';
import { readFolder, writeFiles } from './support/tree-files';
import { currentWorkspace } from './support/workspaces';

jest.setTimeout(60_000);

const repoRoot = join(__dirname, '../../..');

describe('ng add --dry-run', () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reports the updates and writes nothing', async () => {
    root = mkdtempSync(join(tmpdir(), 'ng-isr-dry-run-'));
    writeFiles(root, await currentWorkspace({ standalone: true }));
    const before = readFolder(root);
    const workflow = new NodeWorkflow(root, { dryRun: true });
    const events: string[] = [];
    workflow.reporter.subscribe((event) => events.push(`${event.kind} ${event.path}`));

    await lastValueFrom(
      workflow.execute({ collection: join(repoRoot, 'collection.json'), schematic: 'ng-add', options: { project: 'demo' } }),
      { defaultValue: undefined },
    );

    expect(events.sort()).toEqual(
      [
        'update /angular.json',
        'update /package.json',
        'update /projects/demo/src/app/app.config.server.ts',
        'update /projects/demo/src/app/app.routes.server.ts',
        'update /projects/demo/src/server.ts',
      ].sort(),
    );
    expect(changedPaths(before, readFolder(root))).toEqual([]);
  });
});
