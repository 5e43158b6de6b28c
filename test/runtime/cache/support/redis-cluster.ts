import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient } from 'redis';
import { freePort } from '../../../support/free-port';
import { killRedisServer, spawnRedisServer } from './redis-server';

const run = promisify(execFile);

/** A Redis Cluster of three masters (no replicas) this process started on free ports. */
export interface TestRedisCluster {
  /** `redis://127.0.0.1:<port>` of each master. */
  readonly rootNodes: string[];
  /** SIGKILLs master `index` (an outage, not a shutdown) and waits for its exit. */
  kill(index: number): Promise<void>;
  /** Starts master `index` again with its node config (same id, same slots; its data is gone). */
  restart(index: number): Promise<void>;
  /** Stops every master and removes the config folder. */
  dispose(): Promise<void>;
}

interface ClusterNode {
  port: number;
  busPort: number;
  child?: ChildProcess;
}

/**
 * Three `redis-server --cluster-enabled yes` on free ports, joined with
 * `redis-cli --cluster create ... --cluster-replicas 0`, without persistence. A short node
 * timeout and `cluster-require-full-coverage no` let the other masters keep answering while one
 * is down (as managed clusters are usually set up). Resolves once every node reports
 * `cluster_state:ok` with all 16384 slots served.
 */
export async function startOwnRedisCluster(): Promise<TestRedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'ng-isr-redis-cluster-'));
  const nodes: ClusterNode[] = [];
  for (let i = 0; i < 3; i++) nodes.push({ port: await freePort(), busPort: await freePort() });
  const launch = async (node: ClusterNode): Promise<void> => {
    // prettier-ignore
    const args = [
      '--port', String(node.port), '--cluster-port', String(node.busPort), '--bind', '127.0.0.1',
      '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${node.port}.conf`), '--dir', dir,
      '--cluster-node-timeout', '2000', '--cluster-require-full-coverage', 'no',
      '--save', '', '--appendonly', 'no',
    ];
    node.child = await spawnRedisServer(args);
  };
  const kill = async (node: ClusterNode): Promise<void> => {
    const running = node.child;
    node.child = undefined;
    await killRedisServer(running);
  };
  const dispose = async (): Promise<void> => {
    await Promise.all(nodes.map(kill));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(nodes.map(launch));
    // prettier-ignore
    await run('redis-cli', ['--cluster', 'create', ...nodes.map((node) => `127.0.0.1:${node.port}`), '--cluster-replicas', '0', '--cluster-yes']);
    await waitForClusterOk(nodes.map((node) => node.port));
  } catch (error) {
    await dispose();
    throw error;
  }
  const at = (index: number): ClusterNode => {
    const node = nodes[index];
    if (!node) throw new Error(`no cluster node ${index}`);
    return node;
  };
  return {
    rootNodes: nodes.map((node) => `redis://127.0.0.1:${node.port}`),
    kill: (index) => kill(at(index)),
    restart: async (index) => {
      await launch(at(index));
      await waitForClusterOk(nodes.map((node) => node.port));
    },
    dispose,
  };
}

/** Waits until every node says the cluster is ok and serves every slot. */
async function waitForClusterOk(ports: number[], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(ports.map((port) => clusterInfo(port).catch(() => '')));
    if (states.every((info) => /cluster_state:ok/.test(info) && /cluster_slots_ok:16384/.test(info))) return;
    if (Date.now() > deadline) throw new Error(`the test cluster did not become ok:\n${states.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function clusterInfo(port: number): Promise<string> {
  const client = createClient({ url: `redis://127.0.0.1:${port}` });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return String(await client.sendCommand(['CLUSTER', 'INFO']));
  } finally {
    client.destroy();
  }
}
