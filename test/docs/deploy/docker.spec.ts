import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, posix, resolve } from 'node:path';
import { freePort as closedPort } from '../../support/free-port';
import { execForm, parseDockerfile, type Stage } from './dockerfile';

// There is no Docker daemon in CI: these tests check what can be checked without one. The image
// was not built; docs/deploy.md says so.
const root = resolve(__dirname, '../../..');
const dockerDir = join(root, 'docs/deploy/docker');
const stages = parseDockerfile(readFileSync(join(dockerDir, 'Dockerfile'), 'utf8'));
const stage = (name: string): Stage => {
  const found = stages.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
};
const all = (s: Stage, keyword: string) => s.instructions.filter((instruction) => instruction.keyword === keyword);

describe('docs/deploy/docker/Dockerfile', () => {
  const runtime = stages.at(-1)!;

  it('builds in one stage and serves from a later, last stage (what `docker build` produces)', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'deps', 'tools', 'runtime']);
    expect(runtime.name).toBe('runtime');
    expect(
      all(stage('build'), 'RUN')
        .map((run) => run.args)
        .join('\n'),
    ).toMatch(/npx ng build "\$\{APP_NAME\}"/);
    expect(all(stage('deps'), 'RUN')[0]?.args).toMatch(/^npm ci --omit=dev /);
  });

  it('has a tools stage whose entry point is `ng run` (the warm-up Job passes `<app>:isr-warm …`)', () => {
    expect(stage('tools').from).toBe('build');
    expect(execForm(all(stage('tools'), 'ENTRYPOINT')[0]!.args)).toEqual(['npx', 'ng', 'run']);
    expect(all(stage('tools'), 'USER').at(-1)?.args).toBe('node');
  });

  it('copies only dist/, production node_modules and package.json into the runtime, from other stages', () => {
    const copies = all(runtime, 'COPY').map((copy) => copy.args);
    expect(copies).toEqual([
      '--from=deps --chown=node:node /app/node_modules ./node_modules',
      '--from=build --chown=node:node /app/package.json ./package.json',
      '--from=build --chown=node:node /app/out ./dist',
    ]);
    expect(all(runtime, 'RUN')).toEqual([]);
  });

  it('runs as the non-root node user', () => {
    const users = all(runtime, 'USER').map((user) => user.args);
    expect(users.at(-1)).toBe('node');
    expect(users).not.toContain('root');
    // USER comes before CMD and HEALTHCHECK, so both run unprivileged.
    const index = (keyword: string) => runtime.instructions.findIndex((instruction) => instruction.keyword === keyword);
    expect(index('USER')).toBeLessThan(index('CMD'));
    expect(index('USER')).toBeLessThan(index('HEALTHCHECK'));
  });

  it('starts the file the build stage checked and moved: dist/<app>/server/server.mjs → /app/dist/server/server.mjs', () => {
    const cmd = execForm(all(runtime, 'CMD')[0]!.args);
    expect(cmd[0]).toBe('node');
    const workdir = all(runtime, 'WORKDIR')[0]!.args;
    const started = posix.join(workdir, cmd[1]!);
    // Which COPY provides it, and from where in the build stage.
    const copy = all(runtime, 'COPY')
      .map((instruction) => /--from=(\S+).*\s(\S+)\s(\S+)$/.exec(instruction.args)!)
      .map(([, from, source, target]) => ({ from: from!, source: source!, target: posix.join(workdir, target!) }))
      .find(({ target }) => started.startsWith(`${target}/`));
    expect(copy).toEqual({ from: 'build', source: '/app/out', target: '/app/dist' });
    const inBuild = posix.relative(copy!.target, started); // server/server.mjs
    const build = all(stage('build'), 'RUN')
      .map((run) => run.args)
      .join('\n');
    expect(build).toContain(`test -f "dist/\${APP_NAME}/${inBuild}"`);
    expect(build).toContain(`mv "dist/\${APP_NAME}" ${copy!.source}`);
  });

  it('stops with SIGTERM, exec-form CMD (node is PID 1 and gets the signal)', () => {
    expect(all(runtime, 'STOPSIGNAL')[0]?.args).toBe('SIGTERM');
    expect(all(runtime, 'CMD')[0]!.args.startsWith('[')).toBe(true);
  });

  it('.dockerignore keeps node_modules, dist and secrets out of the build context', () => {
    const ignored = readFileSync(join(dockerDir, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.angular', '.env']));
  });

  describe('HEALTHCHECK (its command run as the image would run it)', () => {
    const healthcheck = all(runtime, 'HEALTHCHECK')[0]!;
    const command = execForm(healthcheck.args);
    let server: Server;
    let status = 200;
    let port: number;

    beforeAll(async () => {
      server = createServer((req, res) => {
        res.writeHead(req.url === '/healthz' ? status : 404).end();
      });
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((done) => server.close(() => done())));

    // Asynchronously: the server answering it runs in this process.
    const run = (env: Record<string, string>) =>
      new Promise<number | null>((done) => {
        const child = spawn(process.execPath, command.slice(1), { env: { ...process.env, ...env }, stdio: 'ignore', timeout: 10_000 });
        child.once('exit', (code) => done(code));
      });

    it('uses node (the slim image has no curl) with a timeout below the check timeout', () => {
      expect(command[0]).toBe('node');
      expect(healthcheck.args).toMatch(/--timeout=3s/);
      expect(command.join(' ')).toMatch(/AbortSignal\.timeout\(2500\)/);
    });

    it('exits 0 when /healthz answers 200 on $PORT, 1 when it answers 503 (draining) or nothing listens', async () => {
      status = 200;
      expect(await run({ PORT: String(port) })).toBe(0);
      status = 503;
      expect(await run({ PORT: String(port) })).toBe(1);
      expect(await run({ PORT: String(await closedPort()) })).toBe(1);
    });
  });
});
