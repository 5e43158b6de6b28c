import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { appForCli, isPristineAppCached } from '../../scripts/lib/angular-apps';
import { freePort } from '../../scripts/lib/app-server';
import { runStep } from '../../scripts/lib/run-step';
import { REPO_ROOT } from './harness/prepared-app';
import { request } from './harness/http';

/** True when something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const cli = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }
).devDependencies['@angular/cli'].replace(/^[\^~]/, '');

describe('npm run demo', () => {
  it(
    '--no-serve: builds the app, checks it over HTTP, says it stopped the server (and shows long steps moving)',
    async () => {
      const port = await freePort();
      const cachedBefore = isPristineAppCached(appForCli(cli));
      const result = await runStep('npm run demo -- --no-serve', process.execPath, ['scripts/demo.mjs', '--no-serve'], {
        cwd: REPO_ROOT,
        env: { ...process.env, PORT: String(port), NG_ISR_DEMO_PROGRESS_MS: '1000' },
        timeoutMs: 20 * 60_000,
        allowFailure: true,
      });
      expect({ code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({ code: 0, output: '' });
      const out = result.output;
      expect(out).toContain(`--no-serve: checking the server at http://localhost:${port}/news`);
      expect(out).toMatch(/token [0-9a-f]{32}/);
      expect(out).toMatch(/self-check: GET \/news -> 200 MISS, then 200 HIT; POST \/api\/invalidate -> 200 \{"invalidated":\["\/news"\]/);
      expect(out).toContain('server stopped');
      // Nothing claims a server that is gone is running, or offers commands against it.
      expect(out).not.toContain('is running');
      expect(out).not.toContain('curl ');
      expect(out).toMatch(/\[6\/6\] start the server/);
      // A step longer than NG_ISR_DEMO_PROGRESS_MS prints its elapsed time while it runs.
      expect(out).toMatch(/\.\.\. still working on \[1\/6\]: \d+ s/);
      if (out.includes('[2/6]')) {
        // "cached" only when a previous run had generated the app.
        expect(out).toMatch(
          cachedBefore
            ? /\[2\/6\] reuse the Angular [\d.]+ SSR app a previous run generated/
            : /\[2\/6\] generate an Angular [\d.]+ SSR app \(ng new \+ npm install/,
        );
      }
      expect(await listening(port)).toBe(false);
    },
    25 * 60_000,
  );

  it(
    'serving: the headline URL answers with a cached page, invalidation renders it again at once, Ctrl-C stops the server',
    async () => {
      const port = await freePort();
      const child = spawn(process.execPath, ['scripts/demo.mjs'], {
        cwd: REPO_ROOT,
        env: { ...process.env, PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      try {
        const deadline = Date.now() + 20 * 60_000;
        while (!out.includes('Press Ctrl-C to stop.') && Date.now() < deadline && child.exitCode === null) {
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        expect(out).toContain('Press Ctrl-C to stop.');
        const headline = /ng-isr demo is running: (\S+)/.exec(out)?.[1] ?? '';
        expect(headline).toMatch(new RegExp(`^http://localhost:${port}/\\w+`));
        const page = await request(headline.replace('localhost', '127.0.0.1'));
        expect([page.status, page.cache]).toEqual([200, 'MISS']);

        // What the hint promises: after invalidation the next request is a HIT with a new render.
        const token = /token: ([0-9a-f]{32})/.exec(out)?.[1];
        expect(out).toContain('/about is rendered again at once; the next request is a HIT with the new render time');
        const about = `http://127.0.0.1:${port}/about`;
        const before = await request(about);
        const invalidate = await fetch(`http://127.0.0.1:${port}/api/invalidate`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token, urlsToInvalidate: ['/about'] }),
        });
        expect(invalidate.status).toBe(200);
        const after = await request(about);
        expect(after.cache).toBe('HIT');
        expect(after.body).not.toBe(before.body);
      } finally {
        child.kill('SIGINT');
        await exited;
      }
      expect(await listening(port)).toBe(false);
    },
    25 * 60_000,
  );
});
