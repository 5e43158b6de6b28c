import { randomBytes } from 'node:crypto';
import type { CacheEntry, CacheHandler } from './cache-handler.js';
import type { CacheLogger } from './cache-logger.js';
import { consoleLogger } from '../utils/logger.js';
import { CorruptEntryError, decodeEntry, encodeEntry } from './entry-codec.js';
import { createMemoryLayer, type MemoryLayer, type MemoryLayerOptions } from './memory-layer.js';
import type { RedisClientLike } from './redis-client-like.js';
import { closeClient } from './redis-client-like.js';
import { RedisConnection } from './redis-connection.js';
import { DELETE_ENTRY, KEYS_BY_TAG, RELEASE_LOCK, RENEW_LOCK, SET_ENTRY } from './redis-scripts.js';

/** Default key prefix; give each app (and each environment sharing a Redis) its own. */
export const DEFAULT_REDIS_KEY_PREFIX = 'ng-isr:';
/** Default time a stale entry stays in Redis (serving STALE while it regenerates): one day. */
export const DEFAULT_REDIS_TTL_AFTER_STALE_SECONDS = 86_400;
/** Default per-command timeout. */
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 500;
const SCAN_BATCH = 500;

/** Options of {@link RedisCacheHandler}: give `url` or `client`. */
export interface RedisCacheHandlerOptions {
  /**
   * `redis[s]://[[user][:password]@]host[:port][/db]`. The handler creates the client on first
   * use (the `redis` package must be installed), with the offline queue disabled and
   * reconnecting in the background.
   */
  url?: string;
  /**
   * A client from the app's own `createClient()` (connected or not; the handler connects it if
   * needed and never closes it). Prefer `disableOfflineQueue: true` on it; commands time out
   * after `commandTimeoutMs` either way.
   */
  client?: RedisClientLike;
  /** Extra `createClient()` options for the `url` mode (TLS, database, name...). */
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
   * Small in-process copy of hot entries in front of Redis, kept coherent across instances
   * by pub/sub invalidation messages (one extra connection). Off by default.
   */
  memoryLayer?: MemoryLayerOptions | false;
  /** Where outages are reported, once each (default: `console`). */
  logger?: CacheLogger;
}

/**
 * A {@link CacheHandler} on Redis, shared by every instance of a deployment: a page rendered by
 * one instance is a HIT on all, an invalidation reaches all, and `acquireLock` lets exactly one
 * instance regenerate a stale page.
 *
 * - Entries are stored as one binary blob (metadata + bytes, see `entry-codec.ts`) that expires
 *   `ttlAfterStaleSeconds` after it turns stale.
 * - Tags are Redis sets (tag → keys) maintained by Lua scripts on every write and delete;
 *   invalidating a tag reads only that set.
 * - Nothing connects in the constructor (Angular's build executes server.ts). When Redis is
 *   down or slow, every method rejects within `commandTimeoutMs` (the ISR handler renders
 *   and answers BYPASS), the outage is logged once, and the client reconnects by itself.
 */
export class RedisCacheHandler implements CacheHandler {
  private readonly prefix: string;
  private readonly ttlAfterStaleMs: number;
  private readonly connection: RedisConnection;
  private readonly memory: MemoryLayer | undefined;
  private readonly logger: CacheLogger;
  /** Identifies this instance's own pub/sub messages and lock tokens. */
  private readonly instanceId = randomBytes(8).toString('hex');
  private readonly lockTokens = new Map<string, string>();
  private lockCounter = 0;
  private subscriber: RedisClientLike | undefined;
  private subscribing: Promise<void> | undefined;
  /** The memory layer is used only while invalidation messages are being received. */
  private coherent = false;
  /** Bumped on every invalidation message: a read that overlaps one does not fill the layer. */
  private invalidations = 0;

  constructor(options: RedisCacheHandlerOptions) {
    if (!options || (!options.url && !options.client)) {
      throw new Error('RedisCacheHandler: give `url` or `client`');
    }
    if (options.url && options.client) throw new Error('RedisCacheHandler: give `url` or `client`, not both');
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
    this.prefix = prefix;
    this.ttlAfterStaleMs = ttlAfterStale * 1000;
    this.logger = options.logger ?? consoleLogger;
    this.memory = createMemoryLayer(options.memoryLayer);
    this.connection = new RedisConnection({
      url: options.url,
      client: options.client,
      clientOptions: options.clientOptions,
      commandTimeoutMs,
      logger: this.logger,
    });
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    const useMemory = this.memory !== undefined && this.ensureCoherence();
    if (useMemory) {
      const hot = this.memory?.get(key);
      if (hot) return hot;
    }
    const seen = this.invalidations;
    const blob = await this.connection.command(['GET', this.entryKey(key)], true);
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
    if (useMemory && this.coherent && seen === this.invalidations) this.memory?.set(entry);
    return entry;
  }

  async set(entry: CacheEntry): Promise<void> {
    const px = this.expiryMs(entry, Date.now());
    const seen = ++this.invalidations;
    await this.connection.script(
      SET_ENTRY,
      [this.entryKey(entry.key), this.entryTagsKey(entry.key)],
      [encodeEntry(entry), String(px), this.tagKey(''), entry.key, this.channel, this.message(entry.key), ...new Set(entry.tags)],
    );
    // Another instance's newer write announced meanwhile wins: keep no copy then.
    if (this.memory && this.coherent && seen === this.invalidations) this.memory.set(entry);
    else this.memory?.delete(entry.key);
  }

  async delete(key: string): Promise<boolean> {
    this.invalidations++;
    this.memory?.delete(key);
    const removed = await this.connection.script(
      DELETE_ENTRY,
      [this.entryKey(key), this.entryTagsKey(key)],
      [this.tagKey(''), key, this.channel, this.message(key)],
    );
    return Number(removed) > 0;
  }

  async keysByTag(tag: string): Promise<string[]> {
    const keys = await this.connection.script(KEYS_BY_TAG, [this.tagKey(tag)], [this.entryKey('')]);
    return Array.isArray(keys) ? keys.map(String) : [];
  }

  /** Removes every key under the prefix (entries, tag sets, locks) with SCAN + UNLINK. */
  async clear(): Promise<void> {
    this.invalidations++;
    this.memory?.clear();
    const pattern = escapeGlob(this.prefix) + '*';
    let cursor = '0';
    do {
      const reply = (await this.connection.command(['SCAN', cursor, 'MATCH', pattern, 'COUNT', String(SCAN_BATCH)])) as [
        string | Buffer,
        Array<string | Buffer>,
      ];
      cursor = String(reply[0]);
      const keys = reply[1].map(String);
      if (keys.length > 0) await this.connection.command(['UNLINK', ...keys]);
    } while (cursor !== '0');
    await this.connection.command(['PUBLISH', this.channel, this.message(null)]);
    this.lockTokens.clear();
  }

  /**
   * Fleet-wide single flight: `SET NX PX` on a lock key with a token unique to this call, so
   * that only the holder's {@link releaseLock} removes it; it expires after `ttlMs` if the
   * holder dies.
   */
  async acquireLock(key: string, ttlMs: number): Promise<boolean> {
    const token = `${this.instanceId}:${++this.lockCounter}`;
    const reply = await this.connection.command(['SET', this.lockKey(key), token, 'NX', 'PX', String(Math.max(1, Math.ceil(ttlMs)))]);
    if (reply === null || reply === undefined) return false;
    this.lockTokens.set(key, token);
    return true;
  }

  /** Extends a lock this handler holds (token-checked in Lua); `false` once it is someone else's. */
  async renewLock(key: string, ttlMs: number): Promise<boolean> {
    const token = this.lockTokens.get(key);
    if (token === undefined) return false;
    const renewed = await this.connection.script(RENEW_LOCK, [this.lockKey(key)], [token, String(Math.max(1, Math.ceil(ttlMs)))]);
    return Number(renewed) === 1;
  }

  /** Releases the lock if this handler still holds it (a lock that expired and was taken by another instance is left alone). */
  async releaseLock(key: string): Promise<void> {
    const token = this.lockTokens.get(key);
    if (token === undefined) return;
    this.lockTokens.delete(key);
    await this.connection.script(RELEASE_LOCK, [this.lockKey(key)], [token]);
  }

  /** Closes the connections this handler opened (a client passed in stays open). */
  async close(): Promise<void> {
    this.coherent = false;
    this.memory?.clear();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber) await closeClient(subscriber).catch(() => undefined);
    await this.connection.close();
  }

  /** ms until the entry expires in Redis: `ttlAfterStaleSeconds` after it turns stale; 0 = never. */
  private expiryMs(entry: CacheEntry, now: number): number {
    if (!(entry.revalidate > 0)) return 0;
    const expiresAt = entry.createdAt + entry.revalidate * 1000 + this.ttlAfterStaleMs;
    return Math.max(1_000, Math.ceil(expiresAt - now));
  }

  private entryKey(key: string): string {
    return `${this.prefix}e:${key}`;
  }
  private entryTagsKey(key: string): string {
    return `${this.prefix}g:${key}`;
  }
  private tagKey(tag: string): string {
    return `${this.prefix}t:${tag}`;
  }
  private lockKey(key: string): string {
    return `${this.prefix}l:${key}`;
  }
  private get channel(): string {
    return `${this.prefix}invalidate`;
  }
  /** Invalidation message: `<instance>|k|<key>` for one key, `<instance>|clear` for all. */
  private message(key: string | null): string {
    return key === null ? `${this.instanceId}|clear` : `${this.instanceId}|k|${key}`;
  }

  /**
   * Starts the pub/sub subscription on first use; `true` once messages are being received
   * (until then, and while the subscriber is disconnected, the memory layer is bypassed).
   */
  private ensureCoherence(): boolean {
    if (!this.subscribing) {
      this.subscribing = this.subscribe().catch((error: unknown) => {
        this.connection.markDown(error);
        this.subscribing = undefined; // try again on a later request
      });
    }
    return this.coherent;
  }

  private async subscribe(): Promise<void> {
    const client = await this.connection.client();
    const subscriber = client.duplicate();
    this.subscriber = subscriber;
    subscriber.on('error', () => this.incoherent());
    subscriber.on('end', () => this.incoherent());
    // The client resubscribes by itself after a reconnect; copies held meanwhile may have
    // missed messages, so the layer starts empty again.
    subscriber.on('ready', () => {
      if (this.subscriber !== subscriber || this.coherent) return;
      this.memory?.clear();
      this.coherent = true;
    });
    await subscriber.connect();
    await subscriber.subscribe(this.channel, (message) => this.onInvalidation(message));
    if (this.subscriber === subscriber) {
      this.memory?.clear();
      this.coherent = true;
    }
  }

  private incoherent(): void {
    this.coherent = false;
    this.invalidations++;
    this.memory?.clear();
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
