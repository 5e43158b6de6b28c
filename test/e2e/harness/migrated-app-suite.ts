import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type AppServer } from '../../../scripts/lib/app-server';
import { isServerRendered, postInvalidate, renderedAt, request } from './http';
import { MIGRATED_PAGE, prepareMigratedApp, type ForeignApp, type MigratedApp } from './migrated-app';

/**
 * An app wired to @rx-angular/isr or ngx-isr the way their docs show, moved to ng-isr with one
 * `ng add ng-isr`, built and served: no trace of the old package, MISS -> HIT, on-demand
 * invalidation through the route their users already call, and a malformed body answered as JSON
 * without the token reaching the server's output.
 */
export function describeMigratedApp(title: string, foreign: ForeignApp & { tokenEnv: string }): void {
  jest.setTimeout(180_000);
  describe(title, () => {
    const token = randomBytes(24).toString('hex');
    let app: MigratedApp;
    let server: AppServer;

    beforeAll(async () => {
      app = await prepareMigratedApp(foreign);
      server = await startServer(app.entry, {
        nodeBin: app.nodeBin,
        env: { ...app.env, NG_ALLOWED_HOSTS: '127.0.0.1,localhost', [foreign.tokenEnv]: token },
      });
    }, 25 * 60_000);

    afterAll(async () => {
      await server?.stop();
      if (app) process.stdout.write(`[e2e] ${title} preparation times (s): ${JSON.stringify(app.timings)}\n`);
    });

    const page = () => request(`${server.url}/${MIGRATED_PAGE.path}`);

    it(`ng add rewrote the ${foreign.setup.packageName} setup: no import of it is left, and package.json drops it`, () => {
      // Before: the old library installed (its release for this Angular major) and imported.
      expect(app.foreignVersion.split('.')[0]).toBe(foreign.version.replace(/^\D*/, '').split('.')[0]);
      expect(app.foreignServer).toContain(`from '${foreign.setup.packageName}/server'`);
      const source = readFileSync(join(app.dir, app.serverFile), 'utf8');
      expect(source).toContain('new ISRHandler(');
      expect(source).not.toMatch(/from ['"](@rx-angular\/isr|ngx-isr)/);
      expect(source).toContain(`process.env['${foreign.tokenEnv}']`);
      const config = readFileSync(join(app.dir, 'src/app/app.config.server.ts'), 'utf8');
      expect(config).toContain('provideISR()');
      expect(config).not.toMatch(/isrHttpInterceptors|from ['"](@rx-angular\/isr|ngx-isr)/);
      const manifest = JSON.parse(readFileSync(join(app.dir, 'package.json'), 'utf8'));
      expect(Object.keys(manifest.dependencies)).not.toContain(foreign.setup.packageName);
      expect(manifest.dependencies['ng-isr']).toBeDefined();
      expect(app.ngAddOutput).not.toMatch(/customised handler/i);
    });

    it('serves the route with data.revalidate: MISS, then HIT', async () => {
      const first = await page();
      expect([first.status, first.cache, isServerRendered(first.body)]).toEqual([200, 'MISS', true]);
      const second = await page();
      expect([second.cache, renderedAt(second.body)]).toEqual(['HIT', renderedAt(first.body)]);
    });

    it('POST /api/invalidate { token, urlsToInvalidate }, as their users call it: 200 and the page regenerated', async () => {
      const before = renderedAt((await page()).body);
      const answer = await postInvalidate(server.url, { token, urlsToInvalidate: [`/${MIGRATED_PAGE.path}`] });
      expect([answer.status, answer.json['invalidated']]).toEqual([200, [`/${MIGRATED_PAGE.path}`]]);
      const after = await page();
      expect(after.cache).toBe('HIT');
      expect(renderedAt(after.body)).not.toBe(before);
    });

    it('a malformed invalidate body: 400 JSON, and the token never reaches the server output', async () => {
      // Express's JSON parser would print the raw body (with the token) on a syntax error if the
      // seed's global express.json() had been kept without the endpoint's error handler.
      const cut = await postInvalidate(server.url, `{"token": "${token}", "urlsToInvalidate": [`);
      expect([cut.status, typeof cut.json['error']]).toEqual([400, 'string']);
      const wrongType = await postInvalidate(server.url, { token, urlsToInvalidate: `/${MIGRATED_PAGE.path}` });
      expect([wrongType.status, typeof wrongType.json['error']]).toEqual([400, 'string']);
      expect(JSON.stringify([cut.json, wrongType.json])).not.toContain(token);
      const wrongToken = await postInvalidate(server.url, { token: 'not-the-token', urlsToInvalidate: [`/${MIGRATED_PAGE.path}`] });
      expect(wrongToken.status).toBe(401);
      // Let anything the server logs about these requests arrive before reading its output.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(server.output()).not.toContain(token);
    });
  });
}
