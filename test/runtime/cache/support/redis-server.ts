import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { freePort } from '../../../support/free-port';

/** A Redis the tests can use; `stop`/`start` exist only for a server this process started. */
export interface TestRedis {
  url: string;
  /** Kills the server (SIGKILL: an outage, not a graceful shutdown) and waits for its exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and waits until it accepts connections. */
  start(): Promise<void>;
  /** Stops it for good (test teardown). */
  dispose(): Promise<void>;
  /** Sends a signal to a private server: `SIGSTOP` makes it slow but connected, `SIGCONT` resumes it. */
  signal?(signal: NodeJS.Signals): void;
}

/**
 * Options for the tier contract suites on Redis: the contract is about what is stored, not about
 * time, and a command may take longer than the 500 ms default on a loaded CI machine (100 concurrent
 * 20 KB writes on the cluster did once); the outage and fault specs set their own short timeouts.
 */
export const CONTRACT_OPTIONS = { commandTimeoutMs: 10_000 };

/** Starts `redis-server` with `args`; resolves with the process once it accepts connections. */
export function spawnRedisServer(args: string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const started = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    started.once('error', (error) => reject(new Error(`cannot start redis-server (is it installed?): ${error.message}`)));
    started.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
    started.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/ready to accept connections/i.test(output)) resolve(started);
    });
  });
}

/** SIGKILL (an outage, not a graceful shutdown) and waits for the exit; nothing when it is not running. */
export async function killRedisServer(running: ChildProcess | undefined): Promise<void> {
  if (!running || running.exitCode !== null || running.signalCode !== null) return;
  const exited = new Promise((resolve) => running.once('exit', resolve));
  running.kill('SIGKILL');
  await exited;
}

/**
 * A private `redis-server` on a free port, without persistence (`--save '' --appendonly no`).
 * Resolves once the server logs that it accepts connections.
 */
export async function startOwnRedis(): Promise<TestRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    child = await spawnRedisServer(['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    await killRedisServer(running);
  };
  await launch();
  const signal = (name: NodeJS.Signals): void => {
    if (!child?.kill(name)) throw new Error(`cannot send ${name} to redis-server`);
  };
  return { url: `redis://127.0.0.1:${port}`, stop, start: launch, dispose: stop, signal };
}

/** `REDIS_URL` when set (shared server, never stopped), else a private server. */
export async function testRedis(): Promise<TestRedis> {
  const url = process.env['REDIS_URL'];
  if (url) {
    const unsupported = async (): Promise<void> => {
      throw new Error('cannot stop or start the server behind REDIS_URL; use startOwnRedis()');
    };
    return { url, stop: unsupported, start: unsupported, dispose: async () => undefined };
  }
  return startOwnRedis();
}

/** A key prefix no other test (or run) uses, so tests can share one Redis. */
export function uniquePrefix(label: string): string {
  return `ng-isr-test:${label}:${randomBytes(4).toString('hex')}:`;
}

/** A plain client for looking at Redis from the outside (not through the handler). */
export async function adminClient(url: string) {
  const client = createClient({ url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}
