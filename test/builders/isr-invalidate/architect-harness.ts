import { Architect, type BuilderOutput, type Target } from '@angular-devkit/architect';
import { TestingArchitectHost } from '@angular-devkit/architect/testing';
import { logging, schema, type json } from '@angular-devkit/core';
import { join } from 'node:path';

/** The package root: its package.json points Architect at the real builders.json and dist/. */
export const PACKAGE_ROOT = join(__dirname, '../../..');

/** The target `ng add` registers, as `ng run app:isr-invalidate` addresses it. */
export const TARGET: Target = { project: 'app', target: 'isr-invalidate' };

/** A finished builder run: its output and everything it logged. */
export interface BuilderRunResult {
  output: BuilderOutput;
  entries: { level: logging.LogLevel; message: string }[];
  /** All log messages joined by newlines. */
  text: string;
}

/**
 * An Architect whose builders come from our own package.json → builders.json → dist/, the
 * way the Angular CLI loads them (requires `npm run build` first).
 */
export async function createArchitect(workspaceRoot: string, targetOptions: json.JsonObject, target: Target = TARGET): Promise<Architect> {
  const registry = new schema.CoreSchemaRegistry();
  registry.addPostTransform(schema.transforms.addUndefinedDefaults);
  const host = new TestingArchitectHost(workspaceRoot, workspaceRoot);
  await host.addBuilderFromPackage(PACKAGE_ROOT);
  host.addTarget(target, `ng-isr:${target.target}`, targetOptions);
  return new Architect(host, registry);
}

/** Runs the target with command-line style overrides and captures the builder's logger. */
export async function runTarget(architect: Architect, overrides: json.JsonObject = {}, target: Target = TARGET): Promise<BuilderRunResult> {
  const logger = new logging.Logger(target.target);
  const entries: BuilderRunResult['entries'] = [];
  logger.subscribe((entry) => entries.push({ level: entry.level, message: entry.message }));
  const run = await architect.scheduleTarget(target, overrides, { logger });
  try {
    const output = await run.result;
    return { output, entries, text: entries.map((entry) => entry.message).join('\n') };
  } finally {
    await run.stop();
  }
}

/** Messages logged at one level. */
export function messagesAt(result: BuilderRunResult, level: logging.LogLevel): string[] {
  return result.entries.filter((entry) => entry.level === level).map((entry) => entry.message);
}
