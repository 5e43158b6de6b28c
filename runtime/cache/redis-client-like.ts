/**
 * The part of the official `redis` client (v4.6+, `createClient()`) that the Redis tier uses.
 * Declared structurally so that the package never imports `redis` at build time: apps that do
 * not use Redis do not install it, and their bundler has nothing to resolve.
 */
export type RedisCommandArgument = string | Buffer;

/** Per-command options of the client: binary replies (`typeMapping` in v5+, `returnBuffers` in v4). */
export interface RedisCommandOptionsLike {
  typeMapping?: Record<number, unknown>;
  returnBuffers?: boolean;
}

/** A `redis` client as returned by `createClient()` (connected or not). */
export interface RedisClientLike {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  /** Listener arguments differ per event ('error' passes an Error, 'ready' nothing). */
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  sendCommand(args: RedisCommandArgument[], options?: RedisCommandOptionsLike): Promise<unknown>;
  /** A new client with the same options (used for the pub/sub connection). */
  duplicate(): RedisClientLike;
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>;
  /** Sharded pub/sub (redis >= 4.6, Redis 7), used on a cluster. */
  sSubscribe?(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>;
  close?(): Promise<unknown>;
  destroy?(): void;
  quit?(): Promise<unknown>;
  disconnect?(): Promise<unknown>;
}

/** A master of a cluster as the cluster client lists it (`cluster.masters`, `cluster.slots[n].master`). */
export interface RedisClusterNodeLike {
  readonly host: string;
  readonly port: number;
  readonly address: string;
}

/** A `redis` cluster client as returned by `createCluster({ rootNodes })` (connected or not). */
export interface RedisClusterLike {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  /** Routed by `firstKey`'s hash slot (a random node without one). */
  sendCommand(
    firstKey: RedisCommandArgument | undefined,
    isReadonly: boolean | undefined,
    args: RedisCommandArgument[],
    options?: RedisCommandOptionsLike,
  ): Promise<unknown>;
  readonly masters: readonly RedisClusterNodeLike[];
  /** 16384 shards, one per hash slot, as last discovered. */
  readonly slots: ReadonlyArray<{ readonly master: RedisClusterNodeLike } | undefined>;
  /** The (connected) client of one node; its `duplicate()` reaches the same node with the same options. */
  nodeClient(node: RedisClusterNodeLike): Promise<RedisClientLike>;
  close?(): Promise<unknown>;
  destroy?(): void;
  quit?(): Promise<unknown>;
  disconnect?(): Promise<unknown>;
}

/** What `client` may be: a single-server client or a cluster client. */
export type RedisAnyClientLike = RedisClientLike | RedisClusterLike;

/** True for a cluster client (it lists masters and routes by key). */
export function isClusterClient(client: RedisAnyClientLike): client is RedisClusterLike {
  return 'masters' in client && typeof (client as Partial<RedisClusterLike>).nodeClient === 'function';
}

/** The `redis` module's factories, loaded on demand. */
export interface RedisModuleLike {
  createClient(options: Record<string, unknown>): RedisClientLike;
  createCluster?(options: Record<string, unknown>): RedisClusterLike;
}

/**
 * RESP type code of bulk strings (`RESP_TYPES.BLOB_STRING` in `redis`, the character `$`):
 * mapping it to `Buffer` makes the client return page bytes untouched instead of decoding UTF-8.
 */
export const RESP_BLOB_STRING = 36;
export const BUFFER_REPLIES: RedisCommandOptionsLike = { typeMapping: { [RESP_BLOB_STRING]: Buffer }, returnBuffers: true };

/** Closes a client we own, whichever close method this client version has. */
export async function closeClient(client: RedisAnyClientLike): Promise<void> {
  if (!client.isOpen) return;
  if (!client.isReady && client.destroy) {
    client.destroy();
  } else if (client.close) {
    await client.close();
  } else if (client.quit) {
    await client.quit();
  } else {
    client.destroy?.();
  }
}
