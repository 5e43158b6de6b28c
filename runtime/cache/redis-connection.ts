import { createHash } from 'node:crypto';
import type { CacheLogger } from './cache-logger.js';
import {
  BUFFER_REPLIES,
  closeClient,
  isClusterClient,
  type RedisAnyClientLike,
  type RedisClientLike,
  type RedisCommandArgument,
  type RedisModuleLike,
} from './redis-client-like.js';
import { hashSlot } from './redis-key-layout.js';
import { errorMessage } from '../utils/logger.js';
import { withTimeout } from '../utils/timeout.js';

/** A Lua script with its SHA1, run with EVALSHA (falling back to EVAL once per connection). */
export interface LuaScript {
  source: string;
  sha: string;
}

export function luaScript(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** Thrown (fast) while Redis cannot be reached; the ISR handler then renders and answers BYPASS. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

/** A cluster the tier connects to itself (`createCluster()` from these). */
export interface RedisClusterConfig {
  /** A few nodes to discover the cluster from: `redis[s]://host:port` URLs or `createClient()`-style options. */
  rootNodes: Array<string | Record<string, unknown>>;
  /** Extra `createCluster()` options (`useReplicas`, `maxCommandRedirections`, `nodeAddressMap`...). */
  options?: Record<string, unknown>;
}

/** Where a command goes on a cluster: the slot of `key` (any node without one). */
export interface CommandRoute {
  key?: RedisCommandArgument;
  readonly?: boolean;
  /** Bulk strings as `Buffer` (page bytes). */
  buffers?: boolean;
}

export interface RedisConnectionOptions {
  url?: string;
  cluster?: RedisClusterConfig;
  client?: RedisAnyClientLike;
  /** Extra `createClient()` options for the URL mode, node defaults of `cluster` (TLS, credentials, database...). */
  clientOptions?: Record<string, unknown>;
  commandTimeoutMs: number;
  logger: CacheLogger;
}

/** Longest wait between reconnect attempts of a client this tier created. */
const MAX_RECONNECT_DELAY_MS = 1_000;

const ANY_NODE = '*';

/** Error replies that mean "this slot cannot answer now" (failover, resharding, loading): an outage, not a bug. */
const UNAVAILABLE_REPLY = /^(CLUSTERDOWN|TRYAGAIN|MASTERDOWN|LOADING|MOVED|ASK|READONLY|BUSY)\b/;

/**
 * One Redis client (a single server's or a cluster's) with the behaviour a request path needs:
 * - created and connected on first use, never at construction (Angular's build runs server.ts);
 * - commands fail fast while disconnected (no offline queue) and time out after
 *   `commandTimeoutMs`, so a request never waits on an outage;
 * - an outage is logged once, and its end once, however many commands fail meanwhile.
 */
export class RedisConnection {
  private clientPromise: Promise<RedisAnyClientLike> | undefined;
  private connectStartedAt = 0;
  /**
   * Where commands fail now: `*` for the connection as a whole, a master's address on a cluster
   * (one master down must not make every other master's answer log a recovery).
   */
  private readonly down = new Set<string>();
  private closed = false;
  private readyWait: Promise<void> | undefined;
  private readonly onError = (error: unknown): void => {
    this.markDown(error);
  };
  private readonly onReady = (): void => this.markUp(ANY_NODE);

  constructor(private readonly options: RedisConnectionOptions) {}

  /** True when talking to a Redis Cluster (known before connecting). */
  get isCluster(): boolean {
    return this.options.cluster !== undefined || (this.options.client !== undefined && isClusterClient(this.options.client));
  }

  /** The client, created (and its connection started) on first call. */
  client(): Promise<RedisAnyClientLike> {
    if (this.closed) return Promise.reject(new RedisUnavailableError('the Redis cache handler is closed'));
    this.clientPromise ??= this.createClient();
    return this.clientPromise;
  }

  /**
   * Sends one command (on a cluster, to the master of `route.key`'s slot). Rejects with
   * {@link RedisUnavailableError} when Redis (or that slot's master) is unreachable, too slow or
   * moving; other Redis error replies (a wrong type, a missing script) reject with the client's
   * own error.
   */
  async command(args: RedisCommandArgument[], route: CommandRoute = {}): Promise<unknown> {
    const client = await this.readyClient();
    const options = route.buffers ? BUFFER_REPLIES : undefined;
    if (!isClusterClient(client)) return this.guarded(args, ANY_NODE, () => client.sendCommand(args, options));
    const node = route.key === undefined ? ANY_NODE : (client.slots[hashSlot(String(route.key))]?.master.address ?? ANY_NODE);
    if (this.down.size > 0) {
      // A master replaced by a failover never answers again: forget it.
      for (const address of this.down)
        if (address !== ANY_NODE && !client.masters.some((m) => m.address === address)) this.down.delete(address);
    }
    return this.guarded(args, node, () => client.sendCommand(route.key, route.readonly, args, options));
  }

  /** Sends one command to one node (a cluster master's own client: SCAN, UNLINK of its keys). */
  nodeCommand(node: RedisClientLike, args: RedisCommandArgument[]): Promise<unknown> {
    return this.guarded(args, ANY_NODE, () => node.sendCommand(args));
  }

  /**
   * The client of every master: the one client of a single server, each master's of a cluster
   * (for SCAN, which sees one node's keys only).
   */
  async masterClients(): Promise<RedisClientLike[]> {
    const client = await this.readyClient();
    if (!isClusterClient(client)) return [client];
    return Promise.all(
      client.masters.map((master) =>
        withTimeout(
          this.options.commandTimeoutMs,
          () => client.nodeClient(master),
          () => this.markDown(new Error(`cluster node ${master.address} did not connect in time`)),
        ),
      ),
    );
  }

  /** Runs a Lua script by SHA1 (routed by its first key), loading it with EVAL when the server does not know it yet. */
  async script(script: LuaScript, keys: RedisCommandArgument[], args: RedisCommandArgument[], readonly = false): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    const route: CommandRoute = { key: keys[0], readonly };
    try {
      return await this.command(['EVALSHA', script.sha, ...tail], route);
    } catch (error) {
      if (!(isErrorReply(error) && /^NOSCRIPT/.test((error as Error).message))) throw error;
      return this.command(['EVAL', script.source, ...tail], route);
    }
  }

  private async guarded(args: RedisCommandArgument[], node: string, send: () => Promise<unknown>): Promise<unknown> {
    try {
      const reply = await withTimeout(
        this.options.commandTimeoutMs,
        send,
        () => new RedisUnavailableError(`Redis ${String(args[0])} timed out after ${this.options.commandTimeoutMs} ms`),
      );
      this.markUp(node);
      return reply;
    } catch (error) {
      if (isErrorReply(error) && !UNAVAILABLE_REPLY.test(errorMessage(error))) throw error;
      throw this.markDown(error, node);
    }
  }

  /**
   * Closes the client when this tier created it; a client passed in by the app is only
   * detached from (the app closes it).
   */
  async close(): Promise<void> {
    this.closed = true;
    const pending = this.clientPromise;
    this.clientPromise = undefined;
    const client = await pending?.catch(() => undefined);
    if (!client) return;
    client.off('error', this.onError);
    client.off(readyEvent(client), this.onReady);
    if (!this.options.client) await closeClient(client).catch(() => undefined);
  }

  /** Logs the start of an outage once; returns the error to throw. */
  markDown(error: unknown, node = ANY_NODE): RedisUnavailableError {
    const unavailable =
      error instanceof RedisUnavailableError ? error : new RedisUnavailableError(`Redis unavailable: ${errorMessage(error)}`);
    if (this.closed) return unavailable;
    if (this.down.size === 0) {
      this.options.logger.warn(
        `Redis cache unavailable (${errorMessage(error)}); pages are rendered without the shared cache until it is back`,
      );
    }
    this.down.add(node);
    return unavailable;
  }

  /** Ends the outage of `node` (logs the recovery once nothing is down any more). */
  markUp(node: string): void {
    if (this.down.size === 0) return;
    // Any answer shows the connection works; a cluster master is back once it answers itself.
    this.down.delete(ANY_NODE);
    this.down.delete(node);
    if (this.down.size > 0) return;
    const { logger } = this.options;
    // Called on the logger (not detached): class-based loggers need their `this`.
    const line = 'Redis cache connection restored';
    if (logger.info) logger.info(line);
    else logger.warn(line);
  }

  private async createClient(): Promise<RedisAnyClientLike> {
    let client = this.options.client;
    if (!client) {
      const redis = await loadRedisModule();
      const clientOptions = this.options.clientOptions ?? {};
      const nodeOptions = {
        ...clientOptions,
        // Commands fail at once while disconnected instead of queueing (and hanging requests).
        disableOfflineQueue: true,
        socket: {
          connectTimeout: Math.max(1_000, this.options.commandTimeoutMs * 2),
          reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS),
          ...((clientOptions['socket'] as Record<string, unknown> | undefined) ?? {}),
        },
      };
      const cluster = this.options.cluster;
      if (cluster) {
        if (!redis.createCluster) throw new RedisUnavailableError("the 'redis' package has no createCluster() (redis >= 4.6 is required)");
        client = redis.createCluster({
          // Masters are connected when first used: connecting eagerly waits for every master, so a
          // process starting while one is down would not serve the others' slots either.
          minimizeConnections: true,
          ...cluster.options,
          rootNodes: cluster.rootNodes.map((node) => (typeof node === 'string' ? { url: node } : node)),
          defaults: { ...((cluster.options?.['defaults'] as Record<string, unknown> | undefined) ?? {}), ...nodeOptions },
        });
      } else {
        client = redis.createClient({ ...nodeOptions, url: this.options.url });
      }
    }
    // Without an 'error' listener the client's reconnect errors would crash the process.
    client.on('error', this.onError);
    client.on(readyEvent(client), this.onReady);
    if (!client.isOpen) this.startConnect(client);
    return client;
  }

  private startConnect(client: RedisAnyClientLike): void {
    this.connectStartedAt = Date.now();
    // Resolves once connected; reconnect attempts report through the 'error' listener.
    client.connect().catch((error: unknown) => {
      this.markDown(error);
    });
  }

  /**
   * The client when it is ready. A connection attempt younger than the command timeout is
   * waited for (the first request after start-up); otherwise a disconnected client fails fast.
   */
  async readyClient(): Promise<RedisAnyClientLike> {
    const client = await this.client();
    if (client.isReady) return client;
    if (!client.isOpen && Date.now() - this.connectStartedAt > MAX_RECONNECT_DELAY_MS) this.startConnect(client);
    const remaining = this.options.commandTimeoutMs - (Date.now() - this.connectStartedAt);
    if (remaining > 0) {
      // One listener for every request waiting on the same connection attempt.
      this.readyWait ??= waitForReady(client, remaining).finally(() => (this.readyWait = undefined));
      await this.readyWait;
    }
    if (client.isReady) return client;
    throw this.markDown(new Error('not connected'));
  }
}

async function loadRedisModule(): Promise<RedisModuleLike> {
  // A non-literal specifier: bundlers (esbuild in `ng build`) leave it alone, so apps that do
  // not use Redis need not install it; Node resolves it from the app's node_modules at run time.
  const moduleName = 'redis';
  let loaded: Partial<RedisModuleLike> & { default?: Partial<RedisModuleLike> };
  try {
    loaded = (await import(/* @vite-ignore */ moduleName)) as typeof loaded;
  } catch (error) {
    throw new RedisUnavailableError(
      `RedisCacheHandler needs the 'redis' package (npm install redis), or pass { client }: ${errorMessage(error)}`,
    );
  }
  const createClient = loaded.createClient ?? loaded.default?.createClient;
  if (typeof createClient !== 'function') throw new RedisUnavailableError("the 'redis' package has no createClient()");
  const createCluster = loaded.createCluster ?? loaded.default?.createCluster;
  return { createClient, createCluster };
}

/** A single client is usable on 'ready'; a cluster client says 'connect' once it knows the slots. */
function readyEvent(client: RedisAnyClientLike): string {
  return isClusterClient(client) ? 'connect' : 'ready';
}

function waitForReady(client: RedisAnyClientLike, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      client.off(readyEvent(client), done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    client.on(readyEvent(client), done);
  });
}

/** A reply error from Redis itself (`ErrorReply` in the client), as opposed to a connection problem. */
export function isErrorReply(error: unknown): boolean {
  for (let proto = Object.getPrototypeOf(error); proto; proto = Object.getPrototypeOf(proto)) {
    if (proto.constructor?.name === 'ErrorReply') return true;
  }
  return false;
}
