// Runs the schematic the way `ng generate` does: a NodeWorkflow over a workspace on disk, with the
// CLI's schema wiring (positional argument, projectName default, undefined defaults), for real and
// with --dry-run.

import { json, logging, schema } from '@angular-devkit/core';
import { DryRunEvent } from '@angular-devkit/schematics';
import { NodeWorkflow } from '@angular-devkit/schematics/tools';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { cacheRoot } from '../../../scripts/lib/toolchain';
import { APP, REPO, createWorkspace } from './isr-workspace';
jest.setTimeout(60_000); // beforeAll writes a workspace to disk; each test runs the schematic through the CLI workflow

async function workspaceOnDisk(): Promise<string> {
  const tree = await createWorkspace({ standalone: true });
  const base = join(cacheRoot(), 'isr-route-workflow');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, 'ws-'));
  for (const file of tree.files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), tree.readContent(file));
  }
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');

  return dir;
}

/** `ng generate ng-isr:isr-route <argv[0]> ...options` with the CLI's option handling. */
async function ngGenerate(
  root: string,
  argv: string[],
  options: Record<string, unknown>,
  dryRun: boolean,
): Promise<{ events: string[]; logs: string[] }> {
  const workflow = new NodeWorkflow(root, { dryRun, resolvePaths: [root, REPO], schemaValidation: true });
  workflow.registry.addPostTransform(schema.transforms.addUndefinedDefaults);
  workflow.registry.addSmartDefaultProvider('projectName', () => 'app');
  workflow.registry.addSmartDefaultProvider('argv', (source: json.JsonObject) =>
    typeof source['index'] === 'number' ? argv[source['index']] : argv,
  );
  const events: string[] = [];
  workflow.reporter.subscribe((event: DryRunEvent) => events.push(`${event.kind.toUpperCase()} ${event.path.replace(/^\//, '')}`));
  const logs: string[] = [];
  const logger = new logging.Logger('ng-generate');
  logger.subscribe((entry) => logs.push(`${entry.level}: ${entry.message}`));
  await lastValueFrom(workflow.execute({ collection: join(REPO, 'collection.json'), schematic: 'isr-route', options, logger }), {
    defaultValue: undefined,
  });

  return { events: events.sort(), logs };
}

describe('isr-route options as the Angular CLI parses them', () => {
  it('exposes every option on the command line with the type the CLI supports', async () => {
    // The CLI turns schema.json into yargs options and silently drops types it cannot parse
    // (`"type": "integer"` makes `--revalidate` an "Unknown argument").
    const { parseJsonSchemaToOptions } = require('@angular/cli/src/command-builder/utilities/json-schema') as {
      parseJsonSchemaToOptions(
        registry: schema.SchemaRegistry,
        schema: json.JsonObject,
        interactive?: boolean,
      ): Promise<Array<{ name: string; type: string; positional?: number }>>;
    };
    const schemaJson = JSON.parse(readFileSync(join(REPO, 'schematics/isr-route/schema.json'), 'utf8')) as json.JsonObject;
    const options = await parseJsonSchemaToOptions(new schema.CoreSchemaRegistry(), schemaJson);

    expect(Object.fromEntries(options.map((option) => [option.name, option.type]))).toEqual({
      path: 'string',
      revalidate: 'number',
      component: 'string',
      existingComponent: 'string',
      lazy: 'boolean',
      tags: 'array',
      project: 'string',
      routesFile: 'string',
      skipServerRoute: 'boolean',
    });
    expect(options.find((option) => option.name === 'path')?.positional).toBe(0);
  });
});

describe('isr-route through the CLI workflow', () => {
  let root: string;
  beforeAll(async () => {
    root = await workspaceOnDisk();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const routesFile = () => join(root, APP, 'app.routes.ts');

  it('--dry-run reports the changes and writes nothing', async () => {
    const before = readFileSync(routesFile(), 'utf8');
    const { events } = await ngGenerate(root, ['blog/:slug'], { revalidate: 60 }, true);

    expect(events).toEqual(
      expect.arrayContaining([
        'CREATE projects/app/src/app/blog-slug/blog-slug.ts',
        'UPDATE projects/app/src/app/app.routes.ts',
        'UPDATE projects/app/src/app/app.routes.server.ts',
      ]),
    );
    expect(readFileSync(routesFile(), 'utf8')).toBe(before);
    expect(existsSync(join(root, APP, 'blog-slug'))).toBe(false);
  });

  it('writes the route for real, takes the path from argv and the project from the CLI; then a re-run reports nothing', async () => {
    const first = await ngGenerate(root, ['/blog/:slug'], { revalidate: 60 }, false);
    expect(first.events).toContain('UPDATE projects/app/src/app/app.routes.ts');
    expect(readFileSync(routesFile(), 'utf8')).toContain("path: 'blog/:slug',\n    component: BlogSlug,\n    data: { revalidate: 60 }");

    const second = await ngGenerate(root, ['blog/:slug'], { revalidate: 60 }, false);
    expect(second.events).toEqual([]);
    expect(second.logs.join('\n')).toContain('nothing to change');
  });

  // What the CLI's parser makes of `--revalidate -5`, `--revalidate abc` (NaN), `--revalidate 1.5` and a
  // missing flag without a prompt: each gets one sentence naming the option with an example, never the
  // schema validator's `Data path "/revalidate" …` dump.
  it.each([
    ['-5', { revalidate: -5 }, /^Invalid --revalidate -5: pass a whole number of seconds >= 0, e\.g\. --revalidate 60/],
    ['abc', { revalidate: Number('abc') }, /^Invalid --revalidate \(not a number\): pass a whole number .*--revalidate 60/],
    ['1.5', { revalidate: 1.5 }, /^Invalid --revalidate 1\.5: pass a whole number .*--revalidate 60/],
    ['missing', {}, /^Missing --revalidate: pass a whole number of seconds >= 0, e\.g\. --revalidate 60/],
  ])('rejects --revalidate %s with a sentence naming the option', async (_value, options, message) => {
    const run = ngGenerate(root, ['x'], options, true);
    await expect(run).rejects.toThrow(message);
    await expect(ngGenerate(root, ['x'], options, true)).rejects.not.toThrow(/Data path|\{"revalidate"/);
  });
});
