import { randomBytes } from 'node:crypto';
import type { CacheEntry, CacheHandler } from './cache-handler.js';
import type { CacheLogger } from './cache-logger.js';
import { consoleLogger } from '../utils/logger.js';
import { CorruptEntryError, decodeEntry, encodeEntry } from './entry-codec.js';
import { createMemoryLayer, type MemoryLayer, type MemoryLayerOptions } from './memory-layer.js';
import type { RedisAnyClientLike } from './redis-client-like.js';
import { RedisConnection, RedisUnavailableError, type RedisClusterConfig } from './redis-connection.js';
import { RedisInvalidationBus } from './redis-invalidation-bus.js';
import { hashSlot, RedisKeyLayout } from './redis-key-layout.js';
import { ADD_TO_TAG, CARRIES_TAG, DELETE_ENTRY, PRUNE_TAG, RELEASE_LOCK, RENEW_LOCK, SET_ENTRY } from './redis-scripts.js';

/** Default key prefix; give each app (and each environment sharing a Redis) its own. */
export const DEFAULT_REDIS_KEY_PREFIX = 'ng-isr:';
/** Default time a stale entry stays in Redis (serving STALE while it regenerates): one day. */
export const DEFAULT_REDIS_TTL_AFTER_STALE_SECONDS = 86_400;
/** Default per-command timeout. */
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 500;
/** Default in-process copy in front of Redis: 32 MiB of decoded entries. */
export const DEFAULT_REDIS_MEMORY_LAYER: MemoryLayerOptions = { maxBytes: 32 * 1024 * 1024 };
const SCAN_BATCH = 500;
/** Entries checked at once when answering a tag. */
const TAG_CHECK_BATCH = 256;
/**
 * A tag-set member younger than this is never pruned: it may belong to a write between its two
 * steps (tag sets first, entry second). A write whose first step took half of it gives up.
 */
const TAG_GRACE_MS = 60_000;

/** Options of {@link RedisCacheHandler}: give `url`, `cluster` or `client`. */
export interface RedisCacheHandlerOptions {
  /**
   * `redis[s]://[[user][:password]@]host[:port][/db]` of a single server. The handler creates the
   * client on first use (the `redis` package must be installed), with the offline queue
   * disabled and reconnecting in the background.
   */
  url?: string;
  /**
   * A Redis Cluster the handler connects to itself (`createCluster()` on first use):
   * `{ rootNodes: ['redis://10.0.0.1:6379', ...], options?: { ...createCluster() options } }`.
   * `clientOptions` become the defaults of every node connection (TLS, credentials).
   */
  cluster?: RedisClusterConfig;
  /**
   * A client from the app's own `createClient()` or `createCluster({ rootNodes })` (connected
   * or not; the handler connects it if needed and never closes it). Prefer
   * `disableOfflineQueue: true` on it (in `defaults` for a cluster); commands time out after
   * `commandTimeoutMs` either way.
   */
  client?: RedisAnyClientLike;
  /** Extra `createClient()` options for the `url` mode, node defaults for `cluster` (TLS, credentials, name...). */
  clientOptions?: Record<string, unknown>;
  /** Prefix of every Redis key and of the pub/sub channel (default `ng-isr:`); not empty. */
  keyPrefix?: string;
  /**
   * How long an entry stays in Redis after it turned stale (seconds), so Redis does not fill
   * with dead pages; the next request after that renders afresh. Entries with `revalidate: 0`
   * never expire (configure Redis `maxmemory-policy allkeys-lru` as the bound).
   * Default {@link DEFAULT_REDIS_TTL_AFTER_STALE_SECONDS}.
   */
  ttlAfterStaleSeconds?: number;
  /** Each command's time limit in ms; slower means "Redis unavailable" (default 500). */
  commandTimeoutMs?: number;
  /**
   * In-process copy of hot entries in front of Redis, so that a HIT costs no round trip. It is
   * kept coherent across instances by invalidation messages (pub/sub on one extra connection;
   * sharded pub/sub, one connection per master, on a cluster), used only while they are being
   * received, and dropped whenever the subscription is lost. A copy never outlives its Redis
   * entry. Default {@link DEFAULT_REDIS_MEMORY_LAYER}; `false` turns it off (every read goes to Redis).
   */
  memoryLayer?: MemoryLayerOptions | false;
  /** Where outages are reported, once each (default: `console`). */
  logger?: CacheLogger;
}

/**
 * A {@link CacheHandler} on Redis (a single server or a Redis Cluster), shared by every instance
 * of a deployment: a page rendered by one instance is a HIT on all, an invalidation reaches all,
 * and `acquireLock` lets exactly one instance regenerate a stale page.
 *
 * - Entries are stored as one binary blob (metadata + bytes, see `entry-codec.ts`) that expires
 *   `ttlAfterStaleSeconds` after it turns stale; key names carry hash tags (`redis-key-layout.ts`)
 *   so every script touches one hash slot, on a cluster as on a single server.
 * - Tags are sorted sets (tag → keys) written before the entry (`redis-scripts.ts`); answering
 *   a tag reads only that set and checks each member's entry.
 * - An in-process copy of hot entries (on by default) answers HITs without a round trip, coherent
 *   through invalidation messages published by the same scripts that write.
 * - Nothing connects in the constructor (Angular's build executes server.ts). When Redis (or the
 *   master of a key's slot) is down, slow or moving, every method rejects within
 *   `commandTimeoutMs` (the ISR handler renders and answers BYPASS), the outage is logged once,
 *   and the client reconnects by itself.
 */
export class RedisCacheHandler implements CacheHandler {
  private readonly layout: RedisKeyLayout;
  private readonly ttlAfterStaleMs: number;
  private readonly connection: RedisConnection;
  private readonly memory: MemoryLayer | undefined;
  private readonly bus: RedisInvalidationBus;
  private readonly logger: CacheLogger;
  /** Identifies this instance's own pub/sub messages and lock tokens. */
  private readonly instanceId = randomBytes(8).toString('hex');
  private readonly lockTokens = new Map<string, string>();
  private lockCounter = 0;
  /** Bumped on every invalidation (own or heard): a read that overlaps one does not fill the copy. */
  private invalidations = 0;

  constructor(options: RedisCacheHandlerOptions) {
    const modes = options ? [options.url, options.cluster, options.client].filter((mode) => mode !== undefined && mode !== '') : [];
    if (modes.length === 0) throw new Error('RedisCacheHandler: give `url`, `cluster` or `client`');
    if (modes.length > 1) throw new Error('RedisCacheHandler: give one of `url`, `cluster` or `client`, not several');
    if (options.cluster && (!Array.isArray(options.cluster.rootNodes) || options.cluster.rootNodes.length === 0)) {
      throw new Error('RedisCacheHandler: cluster.rootNodes must list at least one node');
    }
    const prefix = options.keyPrefix ?? DEFAULT_REDIS_KEY_PREFIX;
    if (typeof prefix !== 'string' || prefix === '') {
      throw new Error('RedisCacheHandler: keyPrefix must be a non-empty string (clear() removes every key under it)');
    }
    const ttlAfterStale = options.ttlAfterStaleSeconds ?? DEFAULT_REDIS_TTL_AFTER_STALE_SECONDS;
    if (!Number.isFinite(ttlAfterStale) || ttlAfterStale < 0) {
      throw new Error(`RedisCacheHandler: ttlAfterStaleSeconds must be >= 0, got ${ttlAfterStale}`);
    }
    const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS;
    if (!Number.isFinite(commandTimeoutMs) || commandTimeoutMs <= 0) {
      throw new Error(`RedisCacheHandler: commandTimeoutMs must be > 0, got ${commandTimeoutMs}`);
    }
    this.layout = new RedisKeyLayout(prefix);
    this.ttlAfterStaleMs = ttlAfterStale * 1000;
    this.logger = options.logger ?? consoleLogger;
    this.memory = createMemoryLayer(options.memoryLayer === undefined ? DEFAULT_REDIS_MEMORY_LAYER : options.memoryLayer);
    this.connection = new RedisConnection({
      url: options.url,
      cluster: options.cluster,
      client: options.client,
      clientOptions: options.clientOptions,
      commandTimeoutMs,
      logger: this.logger,
    });
    this.bus = new RedisInvalidationBus(this.connection, this.layout, commandTimeoutMs, {
      message: (message) => this.onInvalidation(message),
      reset: () => {
        this.invalidations++;
        this.memory?.clear();
      },
    });
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    const useMemory = this.memory !== undefined && this.bus.ensure();
    if (useMemory) {
      const hot = this.memory?.get(key);
      if (hot) return hot;
    }
    const seen = this.invalidations;
    const entryKey = this.layout.entryKey(key);
    const blob = await this.connection.command(['GET', entryKey], { key: entryKey, readonly: true, buffers: true });
    if (blob === null || blob === undefined) return undefined;
    if (!Buffer.isBuffer(blob))
      throw new Error('RedisCacheHandler: the redis client returned text for binary data (redis >= 4.6 is required)');
    let entry: CacheEntry;
    try {
      entry = decodeEntry(blob);
      if (entry.key !== key) throw new CorruptEntryError('entry belongs to another key');
    } catch (error) {
      if (!(error instanceof CorruptEntryError)) throw error;
      this.logger.warn(`removed a damaged Redis cache entry for ${JSON.stringify(key)} (${error.message})`);
      await this.delete(key);
      return undefined;
    }
    if (useMemory && this.bus.coherent && seen === this.invalidations) this.memory?.set(entry, this.expiryMs(entry, Date.now()));
    return entry;
  }

  /**
   * The in-process copy's entry, for the fast path, while the invalidation subscription holds;
   * `undefined` (ask {@link get}) otherwise: absence here says nothing about Redis.
   */
  peek(key: string): CacheEntry | undefined {
    return this.memory !== undefined && this.bus.ensure() ? this.memory.get(key) : undefined;
  }

  /**
   * Adds the key to each tag's set, then writes the entry (see `redis-scripts.ts` for why this
   * order): a tag invalidation that comes after this resolves finds the entry.
   */
  async set(entry: CacheEntry): Promise<void> {
    const px = this.expiryMs(entry, Date.now());
    const seen = ++this.invalidations;
    this.memory?.delete(entry.key);
    const tags = [...new Set(entry.tags)];
    const started = Date.now();
    await Promise.all(tags.map((tag) => this.connection.script(ADD_TO_TAG, [this.layout.tagKey(tag)], [entry.key, String(px)])));
    if (Date.now() - started > TAG_GRACE_MS / 2) {
      // Readers prune tag members older than TAG_GRACE_MS: writing the entry now could leave it unfindable by its tags.
      throw new RedisUnavailableError(`Redis tag update took ${Date.now() - started} ms; entry not written`);
    }
    const { command, channel } = this.publication(entry.key);
    await this.connection.script(
      SET_ENTRY,
      [this.layout.entryKey(entry.key), this.layout.entryTagsKey(entry.key)],
      [encodeEntry(entry), String(px), command, channel, this.message(entry.key), ...tags],
    );
    // Another instance's newer write announced meanwhile wins: keep no copy then.
    if (this.memory && this.bus.coherent && seen === this.invalidations) this.memory.set(entry, this.expiryMs(entry, Date.now()));
  }

  async delete(key: string): Promise<boolean> {
    this.invalidations++;
    this.memory?.delete(key);
    const { command, channel } = this.publication(key);
    const removed = await this.connection.script(
      DELETE_ENTRY,
      [this.layout.entryKey(key), this.layout.entryTagsKey(key)],
      [command, channel, this.message(key)],
    );
    return Number(removed) > 0;
  }

  /**
   * Keys of the tag's set whose entry exists and carries the tag (each checked in its own slot);
   * members carrying nothing are dropped on the way once older than the grace period.
   */
  async keysByTag(tag: string): Promise<string[]> {
    const tagKey = this.layout.tagKey(tag);
    const reply = await this.connection.command(['ZRANGE', tagKey, '0', '-1'], { key: tagKey, readonly: true });
    const members = Array.isArray(reply) ? reply.map(String) : [];
    const alive: string[] = [];
    const dead: string[] = [];
    for (let i = 0; i < members.length; i += TAG_CHECK_BATCH) {
      const batch = members.slice(i, i + TAG_CHECK_BATCH);
      const carried = await Promise.all(
        batch.map((key) => this.connection.script(CARRIES_TAG, [this.layout.entryKey(key), this.layout.entryTagsKey(key)], [tag])),
      );
      batch.forEach((key, index) => (Number(carried[index]) === 1 ? alive : dead).push(key));
    }
    for (let i = 0; i < dead.length; i += SCAN_BATCH) {
      // Housekeeping only: the answer is already right, a failed prune is retried by the next reader.
      await this.connection.script(PRUNE_TAG, [tagKey], [String(TAG_GRACE_MS), ...dead.slice(i, i + SCAN_BATCH)]).catch(() => undefined);
    }
    return alive;
  }

  /** Removes every key under the prefix (entries, tag sets, locks) with SCAN + UNLINK on every master. */
  async clear(): Promise<void> {
    this.invalidations++;
    this.memory?.clear();
    const pattern = escapeGlob(this.layout.prefix) + '*';
    for (const node of await this.connection.masterClients()) {
      let cursor = '0';
      do {
        const reply = (await this.connection.nodeCommand(node, ['SCAN', cursor, 'MATCH', pattern, 'COUNT', String(SCAN_BATCH)])) as [
          string | Buffer,
          Array<string | Buffer>,
        ];
        cursor = String(reply[0]);
        // Keys of one slot per UNLINK: a cluster refuses multi-key commands across slots.
        const bySlot = new Map<number, string[]>();
        for (const key of reply[1].map(String)) {
          const slot = hashSlot(key);
          bySlot.set(slot, [...(bySlot.get(slot) ?? []), key]);
        }
        await Promise.all([...bySlot.values()].map((keys) => this.connection.nodeCommand(node, ['UNLINK', ...keys])));
      } while (cursor !== '0');
    }
    // Every instance listens to every channel: one message reaches the whole fleet.
    const { command, channel } = this.publication('');
    await this.connection.command([command, channel, this.message(null)], { key: channel });
    this.lockTokens.clear();
  }

  /**
   * Fleet-wide single flight: `SET NX PX` on a lock key with a token unique to this call, so
   * that only the holder's {@link releaseLock} removes it; it expires after `ttlMs` if the
   * holder dies.
   */
  async acquireLock(key: string, ttlMs: number): Promise<boolean> {
    const token = `${this.instanceId}:${++this.lockCounter}`;
    const lockKey = this.layout.lockKey(key);
    const reply = await this.connection.command(['SET', lockKey, token, 'NX', 'PX', String(Math.max(1, Math.ceil(ttlMs)))], {
      key: lockKey,
    });
    if (reply === null || reply === undefined) return false;
    this.lockTokens.set(key, token);
    return true;
  }

  /** Extends a lock this handler holds (token-checked in Lua); `false` once it is someone else's. */
  async renewLock(key: string, ttlMs: number): Promise<boolean> {
    const token = this.lockTokens.get(key);
    if (token === undefined) return false;
    const renewed = await this.connection.script(RENEW_LOCK, [this.layout.lockKey(key)], [token, String(Math.max(1, Math.ceil(ttlMs)))]);
    return Number(renewed) === 1;
  }

  /** Releases the lock if this handler still holds it (a lock that expired and was taken by another instance is left alone). */
  async releaseLock(key: string): Promise<void> {
    const token = this.lockTokens.get(key);
    if (token === undefined) return;
    this.lockTokens.delete(key);
    await this.connection.script(RELEASE_LOCK, [this.layout.lockKey(key)], [token]);
  }

  /** Closes the connections this handler opened (a client passed in stays open). */
  async close(): Promise<void> {
    this.bus.close();
    this.memory?.clear();
    await this.connection.close();
  }

  /**
   * ms until the entry expires in Redis: `ttlAfterStaleSeconds` after it turns stale; 0 = never.
   * Also the lifetime of an in-process copy, which never outlives the Redis entry.
   */
  private expiryMs(entry: CacheEntry, now: number): number {
    if (!(entry.revalidate > 0)) return 0;
    const expiresAt = entry.createdAt + entry.revalidate * 1000 + this.ttlAfterStaleMs;
    return Math.max(1_000, Math.ceil(expiresAt - now));
  }

  /**
   * Where a change of `key` is announced: the one plain channel of a single server (PUBLISH,
   * Redis 6 has it too), the sharded channel of the key's slot on a cluster (a script may only
   * publish to its own slot).
   */
  private publication(key: string): { command: string; channel: string } {
    return this.connection.isCluster
      ? { command: 'SPUBLISH', channel: this.layout.channelOf(key) }
      : { command: 'PUBLISH', channel: this.layout.plainChannel };
  }

  /** Invalidation message: `<instance>|k|<key>` for one key, `<instance>|clear` for all. */
  private message(key: string | null): string {
    return key === null ? `${this.instanceId}|clear` : `${this.instanceId}|k|${key}`;
  }

  private onInvalidation(message: string): void {
    const separator = message.indexOf('|');
    if (message.slice(0, separator) === this.instanceId) return;
    this.invalidations++;
    const rest = message.slice(separator + 1);
    if (rest === 'clear') this.memory?.clear();
    else if (rest.startsWith('k|')) this.memory?.delete(rest.slice(2));
  }
}

/** Escapes Redis glob characters so the prefix matches literally in SCAN MATCH. */
function escapeGlob(value: string): string {
  return value.replace(/[*?[\]\\]/g, '\\$&');
}
