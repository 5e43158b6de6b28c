/*
 * Redis key names of the tier, laid out so that one layout works on a single server and on
 * Redis Cluster alike. Every name carries a hash tag `{<bucket>}` right after the prefix: the
 * bucket is a small hash of the cache key (or of the tag), so an entry, its tag list, its lock
 * and its invalidation channel share one hash slot (one script may touch them all), while the
 * buckets spread over every master of a cluster.
 *
 *   P{b}e:<key>  entry blob            P{b}g:<key>  set of the entry's tags
 *   P{b}l:<key>  regeneration lock     P{b}t:<tag>  tag → keys (sorted set, score = ms added)
 *   P{b}i        invalidation channel of bucket b (sharded pub/sub on a cluster)
 *
 * A prefix that itself holds a `{...}` hash tag pins every key to one slot: allowed, but it
 * gives up the spread over masters.
 */

/** Hash-tag buckets: enough to spread over many masters, few enough to subscribe to every channel. */
export const REDIS_BUCKETS = 1024;

export class RedisKeyLayout {
  constructor(readonly prefix: string) {}

  entryKey(key: string): string {
    return `${this.prefix}{${bucketOf(key)}}e:${key}`;
  }
  entryTagsKey(key: string): string {
    return `${this.prefix}{${bucketOf(key)}}g:${key}`;
  }
  lockKey(key: string): string {
    return `${this.prefix}{${bucketOf(key)}}l:${key}`;
  }
  tagKey(tag: string): string {
    return `${this.prefix}{${bucketOf(tag)}}t:${tag}`;
  }
  /** The sharded channel of the bucket `key` belongs to. */
  channelOf(key: string): string {
    return this.bucketChannel(bucketOf(key));
  }
  bucketChannel(bucket: number): string {
    return `${this.prefix}{${bucket}}i`;
  }
  /** Every bucket's channel (what a cluster subscriber listens to). */
  allChannels(): string[] {
    return Array.from({ length: REDIS_BUCKETS }, (_, bucket) => this.bucketChannel(bucket));
  }
  /** The one channel of a single server (plain pub/sub, which Redis 6 has too). */
  get plainChannel(): string {
    return `${this.prefix}invalidate`;
  }
}

/** FNV-1a over the UTF-16 code units: cheap, stable across processes, only used to pick a bucket. */
export function bucketOf(value: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % REDIS_BUCKETS;
}

const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

/** The Redis Cluster hash slot of a key or shard channel (CRC16/XMODEM of its hash tag, mod 16384). */
export function hashSlot(name: string): number {
  let bytes = Buffer.from(name);
  const open = bytes.indexOf(0x7b); // '{'
  if (open !== -1) {
    const close = bytes.indexOf(0x7d, open + 1); // '}'
    if (close > open + 1) bytes = bytes.subarray(open + 1, close);
  }
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ (CRC16_TABLE[((crc >> 8) ^ byte) & 0xff] ?? 0);
  return crc % 16384;
}
