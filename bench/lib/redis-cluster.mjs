// A throw-away 3-master Redis Cluster for the benchmark's Redis Cluster rows: three
// `redis-server --cluster-enabled yes` on free ports (no persistence), joined by
// `redis-cli --cluster create`. Same shape as the tests' cluster (test/runtime/cache/support).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './exec.mjs';

/** Starts the cluster; resolves `{ rootNodes, stop }` once every node reports `cluster_state:ok`. */
export async function startRedisCluster() {
  const dir = mkdtempSync(join(tmpdir(), 'ng-isr-bench-cluster-'));
  const children = [];
  const stop = () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  // A benchmark that fails halfway must not leave the servers running.
  process.once('exit', stop);
  try {
    const ports = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const busPort = await freePort();
      ports.push(port);
      // prettier-ignore
      const child = spawn('redis-server', [
        '--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1', '--cluster-enabled', 'yes',
        '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--dir', dir, '--save', '', '--appendonly', 'no',
      ], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      await new Promise((resolve, reject) => {
        let output = '';
        child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
        child.stdout.on('data', (chunk) => {
          output += chunk;
          if (/ready to accept connections/i.test(output)) resolve();
        });
      });
    }
    const nodes = ports.map((port) => `127.0.0.1:${port}`);
    execFileSync('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'], { stdio: 'ignore' });
    for (const deadline = Date.now() + 20_000; ;) {
      const ok = ports.every((port) =>
        /cluster_state:ok/.test(execFileSync('redis-cli', ['-p', String(port), 'cluster', 'info'], { encoding: 'utf8' })),
      );
      if (ok) break;
      if (Date.now() > deadline) throw new Error('the benchmark Redis Cluster did not become ok');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { rootNodes: nodes.map((node) => `redis://${node}`), stop };
  } catch (error) {
    stop();
    throw error;
  }
}
