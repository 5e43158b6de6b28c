import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { freePort } from '../../support/free-port';
import { startOwnRedis, uniquePrefix, type TestRedis } from '../../runtime/cache/support/redis-server';

// docs/deploy/cluster/cluster.mjs as documented in docs/deploy.md: two Node `cluster` workers on
// one port, each with its own ISRHandler + RedisCacheHandler (the package's built public entry)
// on one private redis-server. Requires `npm run build` (dist/runtime).
const root = resolve(__dirname, '../../..');
const PRIMARY = join(root, 'docs/deploy/cluster/cluster.mjs');
const WORKER = join(__dirname, 'support/cluster-worker.mjs');

interface Cluster {
  child: ChildProcess;
  base: string;
  /** Everything the primary and its workers printed. */
  output: () => string;
  exited: Promise<number | null>;
}

async function startCluster(redisUrl: string): Promise<Cluster> {
  const port = await freePort();
  const child = spawn(process.execPath, [PRIMARY, WORKER], {
    env: {
      ...process.env,
      WEB_CONCURRENCY: '2',
      PORT: String(port),
      REDIS_URL: redisUrl,
      KEY_PREFIX: uniquePrefix('cluster'),
      SHUTDOWN_TIMEOUT_MS: '10000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const deadline = Date.now() + 20_000;
  while ((text.match(/^listening \d+$/gm) ?? []).length < 2) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the cluster did not start:\n${text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, base: `http://127.0.0.1:${port}`, output: () => text, exited };
}

async function get(base: string, path: string) {
  const response = await fetch(base + path);
  return {
    status: response.status,
    cache: response.headers.get('x-isr-cache'),
    worker: response.headers.get('x-worker'),
    body: await response.text(),
  };
}

/** Render log lines (`render <pid> <path>`) for `path`. */
function renders(output: string, path: string): string[] {
  return output.split('\n').filter((line) => line.startsWith('render ') && line.endsWith(` ${path}`));
}

describe('docs/deploy/cluster/cluster.mjs: two cluster workers sharing Redis', () => {
  let redis: TestRedis;
  let cluster: Cluster;

  beforeAll(async () => {
    redis = await startOwnRedis();
    cluster = await startCluster(redis.url);
  }, 30_000);
  afterAll(async () => {
    if (cluster.child.exitCode === null) {
      cluster.child.kill('SIGKILL');
      await cluster.exited;
    }
    await redis.dispose();
  });

  it('renders a stale page once across both workers while both serve it', async () => {
    const first = await get(cluster.base, '/news');
    expect([first.status, first.cache]).toEqual([200, 'MISS']);
    await new Promise((r) => setTimeout(r, 2_200)); // revalidate: 2

    const answers = await Promise.all(Array.from({ length: 20 }, () => get(cluster.base, '/news')));
    for (const answer of answers) {
      expect([answer.status, answer.cache, answer.worker]).toEqual([200, 'STALE', expect.any(String)]);
      expect(answer.body).toBe(first.body);
    }
    // The primary handed the connections to both workers.
    expect(new Set(answers.map((answer) => answer.worker)).size).toBe(2);

    // The one regeneration (3 s in the background) lands in Redis; then either worker serves it.
    let fresh = await get(cluster.base, '/news');
    for (const deadline = Date.now() + 10_000; fresh.body === first.body && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 100));
      fresh = await get(cluster.base, '/news');
    }
    expect([fresh.status, fresh.cache]).toEqual([200, 'HIT']);
    expect(fresh.body).not.toBe(first.body);
    // The first visitor's render + one regeneration for the whole group.
    expect(renders(cluster.output(), '/news')).toHaveLength(1);
    expect(renders(cluster.output(), '/news (background)')).toHaveLength(1);
  }, 30_000);

  it('on SIGTERM finishes a render in flight, then every worker drains and the primary exits 0', async () => {
    const slow = get(cluster.base, '/slow');
    await new Promise((r) => setTimeout(r, 300)); // the render (1.5 s) is running
    cluster.child.kill('SIGTERM');

    const answer = await slow;
    expect([answer.status, answer.cache]).toEqual([200, 'MISS']);
    expect(await cluster.exited).toBe(0);
    const output = cluster.output();
    expect(output).toContain('[cluster] SIGTERM: stopping 2 workers');
    expect(output.match(/^drained \d+$/gm)).toHaveLength(2);
    expect(output).not.toContain('forced exit');
    expect(output).not.toContain('starting another');
  }, 20_000);
});
