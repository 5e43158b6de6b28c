// @ts-check
'use strict';
// The user's path through ng-isr, on a copy of a generated app: install the packed tarball,
// `ng add ng-isr`, `ng generate ng-isr:isr-route`, `ng build`. Shared by `npm run demo` and e2e.
const { existsSync, readFileSync, readdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { runStep } = require('./run-step.js');

/** @typedef {import('./run-step.js').StepResult} StepResult */

/**
 * Builds ng-isr and packs it into `destDir`; resolves with the tarball's path.
 * @param {string} repoRoot
 * @param {string} destDir
 * @param {{ build?: boolean }} [options]
 * @returns {Promise<string>}
 */
async function packNgIsr(repoRoot, destDir, { build = true } = {}) {
  if (build) {
    await runStep('npm run build (ng-isr)', 'npm', ['run', 'build'], { cwd: repoRoot, timeoutMs: 5 * 60_000 });
  }
  await runStep('npm pack (ng-isr)', 'npm', ['pack', '--pack-destination', destDir], { cwd: repoRoot, timeoutMs: 2 * 60_000 });
  const { name, version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const tarball = join(destDir, `${name}-${version}.tgz`);
  if (!existsSync(tarball)) {
    throw new Error(`npm pack did not write ${tarball}`);
  }
  return tarball;
}

/**
 * The app's Angular CLI, run on the Node that comes first on the env's PATH.
 * @param {string} appDir
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 * @param {string} step
 * @param {number} [timeoutMs]
 * @returns {Promise<StepResult>}
 */
function ng(appDir, args, env, step, timeoutMs = 5 * 60_000) {
  return runStep(step, join(appDir, 'node_modules', '.bin', 'ng'), args, { cwd: appDir, env, timeoutMs });
}

/**
 * `npm install <tarball>` then `ng add ng-isr` (non-interactive, defaults).
 * @param {string} appDir
 * @param {string} tarball
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<StepResult>}
 */
async function addNgIsr(appDir, tarball, env) {
  await runStep('npm install ng-isr tarball', 'npm', ['install', '--no-audit', '--no-fund', tarball], {
    cwd: appDir,
    env,
    timeoutMs: 5 * 60_000,
  });
  return ng(appDir, ['add', 'ng-isr', '--skip-confirmation', '--interactive=false'], env, 'ng add ng-isr');
}

/**
 * `ng generate ng-isr:isr-route <path> --revalidate <seconds>`.
 * @param {string} appDir
 * @param {NodeJS.ProcessEnv} env
 * @param {string} path
 * @param {number} revalidate
 * @returns {Promise<StepResult>}
 */
function generateIsrRoute(appDir, env, path, revalidate) {
  return ng(
    appDir,
    ['generate', 'ng-isr:isr-route', path, '--revalidate', String(revalidate)],
    env,
    `ng generate ng-isr:isr-route ${path}`,
  );
}

/**
 * The TypeScript file of the component generated for `path` (`timed/timed.ts`, `timed/timed.component.ts`).
 * @param {string} appDir
 * @param {string} path
 * @returns {{ file: string, className: string, selector: string }}
 */
function findPageComponent(appDir, path) {
  const folder = join(appDir, 'src', 'app', path.replace(/[/:]+/g, '-').replace(/^-|-$/g, ''));
  const file = readdirSync(folder)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.spec.ts'))
    .map((name) => join(folder, name))
    .find((candidate) => /@Component\(/.test(readFileSync(candidate, 'utf8')));
  if (!file) {
    throw new Error(`no component file for route ${path} in ${folder}`);
  }
  const source = readFileSync(file, 'utf8');
  const className = /export class (\w+)/.exec(source)?.[1];
  const selector = /selector: '([^']+)'/.exec(source)?.[1];
  if (!className || !selector) {
    throw new Error(`cannot read the class name and selector of ${file}`);
  }
  return { file, className, selector };
}

/**
 * Replaces the generated component of `path` with a page that shows when the server rendered it
 * (carried to the browser in TransferState so hydration keeps the server's value), a button with
 * a click handler (proves hydration) and router links to the other pages (client-side navigation).
 * @param {string} appDir
 * @param {string} path
 * @param {{ title: string, links?: string[] }} options
 * @returns {{ file: string, className: string }}
 */
function decoratePage(appDir, path, { title, links = [] }) {
  const { file, className, selector } = findPageComponent(appDir, path);
  const key = `ng-isr-demo-rendered-at:${path}`;
  const nav = links.map((link) => `      <a id="link-${link.replace(/\W+/g, '-')}" routerLink="/${link}">/${link}</a>`).join('\n');
  const source = `import { isPlatformServer } from '@angular/common';
import { Component, PLATFORM_ID, TransferState, inject, makeStateKey, signal } from '@angular/core';
import { RouterLink } from '@angular/router';

const RENDERED_AT = makeStateKey<string>('${key}');

/** A page served through ISR: shows when the server rendered it. */
@Component({
  selector: '${selector}',
  standalone: true,
  imports: [RouterLink],
  template: \`
    <section class="isr-page">
      <h1 id="page-title">${title}</h1>
      <p>Rendered by the server at <time id="rendered-at">{{ renderedAt }}</time></p>
      <button id="clicker" type="button" (click)="clicks.set(clicks() + 1)">clicked {{ clicks() }} times</button>
      <nav>
${nav}
      </nav>
    </section>
  \`,
})
export class ${className} {
  readonly renderedAt = readRenderedAt();
  readonly clicks = signal(0);
}

/** The server's render time, or 'in the browser' after a client-side navigation. */
function readRenderedAt(): string {
  const state = inject(TransferState);
  if (isPlatformServer(inject(PLATFORM_ID))) {
    const now = new Date().toISOString();
    state.set(RENDERED_AT, now);
    return now;
  }
  return state.get(RENDERED_AT, 'in the browser');
}
`;
  writeFileSync(file, source);
  return { file, className };
}

/**
 * Adds imports and route entries at the end of `src/app/app.routes.ts`'s `routes` array.
 * @param {string} appDir
 * @param {{ imports?: string[], routes?: string[] }} additions
 */
function appendRoutes(appDir, { imports = [], routes = [] }) {
  const file = join(appDir, 'src', 'app', 'app.routes.ts');
  let source = readFileSync(file, 'utf8');
  const end = source.lastIndexOf('];');
  if (end < 0) {
    throw new Error(`no routes array in ${file}`);
  }
  const before = source.slice(0, end).replace(/\s*$/, '');
  const separator = before.endsWith('[') || before.endsWith(',') ? '' : ',';
  source = `${before}${separator}\n${routes.map((route) => `  ${route},`).join('\n')}\n${source.slice(end)}`;
  const lastImport = source.lastIndexOf('\nimport ');
  const insertAt = lastImport < 0 ? 0 : source.indexOf('\n', lastImport + 1) + 1;
  source = source.slice(0, insertAt) + imports.map((line) => `${line}\n`).join('') + source.slice(insertAt);
  writeFileSync(file, source);
}

/**
 * Where `ng build` writes the app (angular.json `outputPath`, string or `{ base }`).
 * @param {string} appDir
 * @param {string} project
 * @returns {string}
 */
function outputDir(appDir, project) {
  const workspace = JSON.parse(readFileSync(join(appDir, 'angular.json'), 'utf8'));
  const outputPath = workspace.projects[project]?.architect?.build?.options?.outputPath;
  const base = typeof outputPath === 'string' ? outputPath : (outputPath?.base ?? join('dist', project));
  return join(appDir, base);
}

/**
 * `ng build`; resolves with the server entry (`<outputPath>/server/server.mjs`).
 * @param {string} appDir
 * @param {string} project
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<string>}
 */
async function buildApp(appDir, project, env) {
  await ng(appDir, ['build'], env, 'ng build', 10 * 60_000);
  const entry = join(outputDir(appDir, project), 'server', 'server.mjs');
  if (!existsSync(entry)) {
    throw new Error(`ng build wrote no server entry at ${entry}`);
  }
  return entry;
}

module.exports = { packNgIsr, ng, addNgIsr, generateIsrRoute, findPageComponent, decoratePage, appendRoutes, outputDir, buildApp };
