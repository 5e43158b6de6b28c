import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type AppServer } from '../../../scripts/lib/app-server';
import { isServerRendered, postInvalidate, renderedAt, request } from './http';
import {
  OPTIONAL_PEERS,
  PACKAGE_MANAGERS,
  PM_APP,
  packageVersion,
  preparePackageManagerApp,
  resolvePeerFromPackage,
  type PackageManagerApp,
  type PackageManagerKey,
} from './package-managers';
import { PINNED } from './prepared-app';

const SETUP_TIMEOUT_MS = 25 * 60_000;

/**
 * The smaller check set for a workspace installed with another package manager: `ng add` from the
 * tarball worked (the schematics found their optional peers), the optional peers resolve from the
 * installed package to the workspace's copies, the build serves MISS -> HIT, and invalidation
 * answers 401 / 200 and regenerates the page.
 */
export function describePackageManagerApp(key: PackageManagerKey): void {
  jest.setTimeout(180_000);
  describe(`Angular ${PM_APP.cli.split('.')[0]} app installed with ${PACKAGE_MANAGERS[key].title}`, () => {
    const token = randomBytes(24).toString('hex');
    let app: PackageManagerApp;
    let server: AppServer;

    beforeAll(async () => {
      app = await preparePackageManagerApp(key);
      server = await startServer(app.entry, {
        nodeBin: app.nodeBin,
        env: { ...app.env, NG_ALLOWED_HOSTS: '127.0.0.1,localhost', ISR_INVALIDATE_TOKEN: token },
      });
    }, SETUP_TIMEOUT_MS);

    afterAll(async () => {
      await server?.stop();
      if (app) {
        process.stdout.write(
          `[e2e] ${key} (${PACKAGE_MANAGERS[key].bin} ${app.version}) preparation times (s): ${JSON.stringify(app.timings)}\n`,
        );
      }
    });

    it(`installed with ${PACKAGE_MANAGERS[key].bin} (its lockfile, no npm lockfile) and ng add wired the app`, () => {
      expect(() => readFileSync(join(app.dir, PACKAGE_MANAGERS[key].lockfile))).not.toThrow();
      expect(() => readFileSync(join(app.dir, 'package-lock.json'))).toThrow();
      const manifest = JSON.parse(readFileSync(join(app.dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
      expect(manifest.dependencies['ng-isr']).toMatch(/ng-isr-.*\.tgz$/);
      expect(readFileSync(join(app.dir, 'src/server.ts'), 'utf8')).toContain('new ISRHandler(');
      expect(readFileSync(join(app.dir, 'src/app/app.config.server.ts'), 'utf8')).toContain('provideISR()');
    });

    it('the optional peers resolve from the installed ng-isr to the workspace copies', () => {
      const resolved = Object.fromEntries(OPTIONAL_PEERS.map((peer) => [peer, resolvePeerFromPackage(app.dir, peer)]));
      for (const peer of OPTIONAL_PEERS) {
        expect({ peer, at: resolved[peer] }).toEqual({ peer, at: expect.stringMatching(/^node_modules\//) });
      }
      // The same copy the workspace itself uses (not a second one of ng-isr's own).
      expect(packageVersion(app.dir, resolved['typescript'])).toBe(packageVersion(app.dir, 'node_modules/typescript/package.json'));
      expect(packageVersion(app.dir, resolved['redis'])).toBe(packageVersion(app.dir, 'node_modules/redis/package.json'));
    });

    it('MISS -> HIT', async () => {
      const first = await request(`${server.url}/${PINNED.path}`);
      expect([first.status, first.cache, isServerRendered(first.body)]).toEqual([200, 'MISS', true]);
      const second = await request(`${server.url}/${PINNED.path}`);
      expect([second.status, second.cache]).toEqual([200, 'HIT']);
      expect(renderedAt(second.body)).toBe(renderedAt(first.body));
    });

    it('POST /api/invalidate: 401 for a wrong token, 200 with the token and the page regenerated', async () => {
      const before = renderedAt((await request(`${server.url}/${PINNED.path}`)).body);
      const wrong = await postInvalidate(server.url, { token: 'wrong-token', urlsToInvalidate: [`/${PINNED.path}`] });
      expect(wrong.status).toBe(401);
      const answer = await postInvalidate(server.url, { token, urlsToInvalidate: [`/${PINNED.path}`] });
      expect([answer.status, answer.json['invalidated']]).toEqual([200, [`/${PINNED.path}`]]);
      const after = await request(`${server.url}/${PINNED.path}`);
      expect(after.status).toBe(200);
      expect(renderedAt(after.body)).not.toBe(before);
    });
  });
}
