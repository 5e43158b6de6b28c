import { luaScript } from './redis-connection.js';

/*
 * Lua scripts of the Redis tier (key layout: `redis-key-layout.ts`). Each touches the keys of one
 * hash slot only, every one of them declared in KEYS, so they run on Redis Cluster as on a single
 * server. An entry and its tag list share a slot; a tag's set lives in the tag's own slot, so a
 * write is two steps, in this order:
 *   1. ADD_TO_TAG on each tag's set (score = server time in ms);
 *   2. SET_ENTRY on the entry's slot.
 * A tag set may thus name a key whose entry does not (or no longer) carry the tag, never the
 * reverse: an invalidation that reads the set finds every entry carrying the tag. Readers check
 * each member (CARRIES_TAG) and drop members older than a grace period that carry nothing
 * (PRUNE_TAG), which also repairs a write that stopped between the two steps.
 */

/**
 * Stores an entry and replaces its tag list, then announces the change.
 * KEYS: entry, entry-tags. ARGV: blob, px (0 = no expiry), publish command, channel, message, tags...
 */
export const SET_ENTRY = luaScript(`
local px = tonumber(ARGV[2])
redis.call('DEL', KEYS[2])
if px > 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', px)
else
  redis.call('SET', KEYS[1], ARGV[1])
end
for i = 6, #ARGV do
  redis.call('SADD', KEYS[2], ARGV[i])
end
if #ARGV >= 6 and px > 0 then
  redis.call('PEXPIRE', KEYS[2], px)
end
redis.call(ARGV[3], ARGV[4], ARGV[5])
return 1
`);

/**
 * Adds a key to a tag's set with the server's time as score; the set lives at least as long as
 * its longest-living member (persists for px 0). KEYS: tag set. ARGV: cache key, px.
 */
export const ADD_TO_TAG = luaScript(`
local px = tonumber(ARGV[2])
local time = redis.call('TIME')
local ttl = redis.call('PTTL', KEYS[1])
redis.call('ZADD', KEYS[1], tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000), ARGV[1])
if px == 0 then
  redis.call('PERSIST', KEYS[1])
elseif ttl == -2 or (ttl >= 0 and ttl < px) then
  redis.call('PEXPIRE', KEYS[1], px)
end
return 1
`);

/**
 * Removes an entry and its tag list, then announces it; returns 1 when the entry existed.
 * KEYS: entry, entry-tags. ARGV: publish command, channel, message.
 */
export const DELETE_ENTRY = luaScript(`
redis.call('DEL', KEYS[2])
local removed = redis.call('DEL', KEYS[1])
redis.call(ARGV[1], ARGV[2], ARGV[3])
return removed
`);

/** 1 when the entry exists and carries the tag. KEYS: entry, entry-tags. ARGV: tag. */
export const CARRIES_TAG = luaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then
  return 1
end
return 0
`);

/**
 * Drops members a reader found carrying nothing, if they were added more than `grace` ms ago
 * (a younger member may belong to a write between its two steps; a member added again since
 * the read has a fresh score and stays). KEYS: tag set. ARGV: grace ms, members...
 */
export const PRUNE_TAG = luaScript(`
local time = redis.call('TIME')
local before = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) - tonumber(ARGV[1])
local removed = 0
for i = 2, #ARGV do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if score and tonumber(score) < before then
    removed = removed + redis.call('ZREM', KEYS[1], ARGV[i])
  end
end
return removed
`);

/** Deletes the lock only when it still holds our token. KEYS: lock. ARGV: token. */
export const RELEASE_LOCK = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`);

/** Extends the lock only while it still holds our token; 1 when renewed. KEYS: lock. ARGV: token, px. */
export const RENEW_LOCK = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`);
