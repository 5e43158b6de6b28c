import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Environment variable of the app server that holds the fake API's base URL. */
export const API_URL_ENV = 'NG_ISR_E2E_API_URL';
/** The server's cache tier in the tier checks (unset: the memory tier `ng add` configures). */
export const CACHE_DIR_ENV = 'NG_ISR_E2E_CACHE_DIR';
export const REDIS_URL_ENV = 'NG_ISR_E2E_REDIS_URL';
export const REDIS_PREFIX_ENV = 'NG_ISR_E2E_REDIS_PREFIX';

/** The page whose render calls the fake API through HttpClient (route `data.revalidate: 60`). */
export const API_PAGE = { path: 'api-page', revalidate: 60 };

/**
 * A page that calls `GET <NG_ISR_E2E_API_URL>/data` with HttpClient during the server render and
 * shows the outcome (`ok: …` or `failed: <status>`). It handles the error itself, so the page is
 * still a 200 render: only provideISR()'s HttpClient error count keeps it out of the cache.
 * In the browser it shows the server's outcome from TransferState and calls nothing.
 */
const API_PAGE_SOURCE = `import { isPlatformServer } from '@angular/common';
import { HttpClient } from '@angular/common/http';
import { Component, PLATFORM_ID, TransferState, inject, makeStateKey, signal } from '@angular/core';

const OUTCOME = makeStateKey<string>('ng-isr-e2e-api-outcome');

/** Read without Node's types: the app's tsconfig may not include them. */
function apiUrl(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.['${API_URL_ENV}'];
}

/** An ISR page whose content comes from an API called with HttpClient during the render. */
@Component({
  selector: 'app-api-page',
  standalone: true,
  template: \`
    <h1 id="page-title">API page</h1>
    <p id="api-outcome">{{ outcome() }}</p>
    <p>Rendered by the server at <time id="rendered-at">{{ renderedAt }}</time></p>
  \`,
})
export class ApiPage {
  readonly outcome = signal('no API configured');
  readonly renderedAt = new Date().toISOString();

  constructor() {
    const state = inject(TransferState);
    if (!isPlatformServer(inject(PLATFORM_ID))) {
      this.outcome.set(state.get(OUTCOME, 'in the browser'));
      return;
    }
    const url = apiUrl();
    if (!url) {
      return;
    }
    inject(HttpClient)
      .get<{ message: string }>(\`\${url}/data\`)
      .subscribe({
        next: (body) => this.show(state, \`ok: \${body.message}\`),
        error: (error: { status?: number }) => this.show(state, \`failed: \${error.status}\`),
      });
  }

  private show(state: TransferState, outcome: string): void {
    this.outcome.set(outcome);
    state.set(OUTCOME, outcome);
  }
}
`;

/**
 * Adds the API page (src/app/api-page.ts) and `provideHttpClient(withFetch())` to the browser app
 * config (the server config merges it), as an app that loads data on the server has it.
 * Returns the route entry and import for app.routes.ts.
 */
export function addApiPage(appDir: string): { route: string; importLine: string } {
  writeFileSync(join(appDir, 'src', 'app', 'api-page.ts'), API_PAGE_SOURCE);
  const configFile = join(appDir, 'src', 'app', 'app.config.ts');
  let config = readFileSync(configFile, 'utf8');
  if (!config.includes('provideHttpClient(')) {
    config = `import { provideHttpClient, withFetch } from '@angular/common/http';\n${config}`.replace(
      /providers:\s*\[/,
      (match) => `${match}provideHttpClient(withFetch()), `,
    );
    if (!config.includes('provideHttpClient(withFetch())')) {
      throw new Error(`no providers array in ${configFile}`);
    }
    writeFileSync(configFile, config);
  }
  return {
    route: `{ path: '${API_PAGE.path}', component: ApiPage, data: { revalidate: ${API_PAGE.revalidate} } }`,
    importLine: `import { ApiPage } from './api-page';`,
  };
}

/**
 * Lets the environment choose the cache tier of the server `ng add` wrote: a folder
 * (`NG_ISR_E2E_CACHE_DIR`, FileSystemCacheHandler) or a Redis (`NG_ISR_E2E_REDIS_URL`, RedisCacheHandler,
 * key prefix `NG_ISR_E2E_REDIS_PREFIX`); neither set keeps the memory tier.
 */
export function cacheTierFromEnv(appDir: string, serverFile: string): void {
  const file = join(appDir, serverFile);
  const source = readFileSync(file, 'utf8');
  const withImport = source.replace(
    /import \{ ISRHandler \} from 'ng-isr';/,
    "import { FileSystemCacheHandler, ISRHandler, RedisCacheHandler } from 'ng-isr';",
  );
  const env = (name: string) => `process.env['${name}']`;
  const cache =
    `  cache: ${env(CACHE_DIR_ENV)}\n` +
    `    ? new FileSystemCacheHandler({ directory: ${env(CACHE_DIR_ENV)}! })\n` +
    `    : ${env(REDIS_URL_ENV)}\n` +
    `      ? new RedisCacheHandler({ url: ${env(REDIS_URL_ENV)}, keyPrefix: ${env(REDIS_PREFIX_ENV)} })\n` +
    `      : undefined,\n`;
  const patched = withImport.replace(/^(\s*)(const isr = new ISRHandler\(\{\n)/m, (_all, indent: string, line: string) => {
    return `${indent}${line}${cache
      .split('\n')
      .map((part) => (part ? indent + part : part))
      .join('\n')}`;
  });
  if (withImport === source || patched === withImport) {
    throw new Error(`cannot find the ng-isr import and \`const isr = new ISRHandler({\` in ${file}`);
  }
  writeFileSync(file, patched);
}
