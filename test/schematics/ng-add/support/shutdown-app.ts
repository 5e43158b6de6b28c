import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import * as ts from 'typescript';

const root = resolve(__dirname, '../../../..');
const GOLDEN = join(root, 'test/fixtures/golden/v20-v22-app-engine.server.ts');

/**
 * The lines `ng add` writes for the graceful shutdown, cut out of the Angular 20-22 golden file:
 * the flag and /healthz (before the ISR routes), and `const server = isr.fastPath(app).listen(...)`
 * (the fast path ng add writes) with the shutdown after it (dedented out of the `isMainModule` block). `break` edits them, so that the
 * spec can show it fails with the wiring broken.
 */
export function generatedShutdownBlocks(edit: (block: string) => string = (block) => block): { routes: string; listen: string } {
  const golden = readFileSync(GOLDEN, 'utf8');
  const routesStart = golden.indexOf('/**\n * Set on SIGTERM/SIGINT');
  const routesEnd = golden.indexOf('\n});\n', golden.indexOf("app.get('/healthz'")) + '\n});\n'.length;
  const listenStart = golden.indexOf('  const server = isr.fastPath(app).listen(');
  const lastLine = "process.on('SIGINT', () => void shutDown());";
  const listenEnd = golden.indexOf(lastLine) + lastLine.length;
  if ([routesStart, listenStart].includes(-1) || routesEnd < routesStart || listenEnd < listenStart) {
    throw new Error(`the shutdown lines were not found in ${GOLDEN}`);
  }
  const listen = golden
    .slice(listenStart, listenEnd)
    .split('\n')
    .map((line) => line.replace(/^ {2}/, ''))
    .join('\n');
  return { routes: edit(golden.slice(routesStart, routesEnd)), listen: edit(listen) };
}

/**
 * An Express server wired like the `ng add`ed server.ts: ISRHandler from the package's built
 * entry (dist/runtime), a slow engine that logs each render start, the filesystem or Redis tier,
 * and the generated shutdown lines, transpiled from TypeScript as the app build would.
 */
export function writeShutdownApp(directory: string, blocks: { routes: string; listen: string }): string {
  const source = `
import '@angular/compiler';
import express from 'express';
import { FileSystemCacheHandler, ISRHandler, RedisCacheHandler } from ${JSON.stringify(join(root, 'dist/runtime/index.js'))};

const renderMs = Number(process.env['RENDER_MS']);
const regenerationMs = Number(process.env['REGENERATION_MS']);
let renders = 0;
// Every render (a MISS too) comes without the visitor's request: a path's first render is the miss.
const rendered = new Set<string>();
const engine = {
  async render(request: any) {
    const path = new URL(request.url).pathname;
    const background = rendered.has(path);
    rendered.add(path);
    const n = ++renders;
    console.log(\`render-start \${path}\${background ? ' background' : ''}\`);
    await new Promise((resolve) => setTimeout(resolve, path.startsWith('/hang') ? 60_000 : background ? regenerationMs : renderMs));
    request.context.revalidate = path === '/stale' ? 1 : 60;
    // Large pages: each entry takes a moment to write.
    const body = \`<!doctype html><html><body><app-root ng-server-context="ssr">\${path} render #\${n}\${'<p>filler</p>'.repeat(20_000)}</app-root></body></html>\`;
    return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: Buffer.from(body) };
  },
};
const cache = process.env['REDIS_URL']
  ? new RedisCacheHandler({ url: process.env['REDIS_URL'], keyPrefix: process.env['KEY_PREFIX'] })
  : new FileSystemCacheHandler({ directory: process.env['CACHE_DIR']!, memoryLayer: false });
const isr = new ISRHandler({ engine, cache, buildId: 'shutdown-test', logger: false, compress: false });

const app = express();

${blocks.routes}
app.use((req, res, next) => isr.handle(req, res, next));

const port = process.env['PORT'] || 4000;
${blocks.listen}
`;
  const output = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  mkdirSync(directory, { recursive: true });
  const file = join(directory, 'server.mjs');
  writeFileSync(file, output);
  return file;
}

/** The child process of one shutdown scenario. */
export interface ShutdownChild {
  child: ChildProcess;
  base: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Resolves once `count` lines of the output match `pattern`. */
  waitForLines(pattern: RegExp, count: number, timeoutMs?: number): Promise<void>;
}

export async function startShutdownApp(file: string, port: number, env: Record<string, string>): Promise<ShutdownChild> {
  const child = spawn(process.execPath, [file], {
    cwd: root,
    env: { ...process.env, PORT: String(port), SHUTDOWN_TIMEOUT_MS: '10000', RENDER_MS: '800', REGENERATION_MS: '1500', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal, at: Date.now() })),
  );
  const waitForLines = async (pattern: RegExp, count: number, timeoutMs = 20_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    const global = new RegExp(pattern.source, 'gm');
    while ((text.match(global) ?? []).length < count) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`waited for ${count} x ${pattern}; output:\n${text}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await waitForLines(/^Node Express server listening on/, 1);
  return { child, base: `http://127.0.0.1:${port}`, output: () => text, exited, waitForLines };
}

/** A GET on its own connection (no keep-alive): status, x-isr-cache and body, or the connection error. */
export function get(base: string, path: string): Promise<{ status: number; cache: string | undefined; body: string } | { error: string }> {
  return new Promise((done) => {
    const req = request(`${base}${path}`, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        done({
          status: res.statusCode ?? 0,
          cache: res.headers['x-isr-cache'] as string | undefined,
          body: Buffer.concat(chunks).toString(),
        }),
      );
      res.on('error', (error) => done({ error: error.message }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => done({ error: error.code ?? error.message }));
    req.end();
  });
}
