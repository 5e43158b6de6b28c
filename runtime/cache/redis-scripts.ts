import { luaScript } from './redis-connection.js';

/*
 * Lua scripts of the Redis tier. Each runs atomically on the server, so the tag sets never
 * disagree with the entries even when several instances write the same key at once.
 * Key layout (all under the handler's prefix P):
 *   P e:<key>  entry blob          P g:<key>  set of the entry's tags
 *   P t:<tag>  set of keys         P l:<key>  regeneration lock
 */

/**
 * Stores an entry and moves its key between tag sets.
 * KEYS: entry, entry-tags. ARGV: blob, px (0 = no expiry), tag prefix, cache key, channel,
 * message, tags...
 * Tag sets live at least as long as their longest-living member (persist for px 0).
 */
export const SET_ENTRY = luaScript(`
local entryKey, tagsKey = KEYS[1], KEYS[2]
local px, tagPrefix, key = tonumber(ARGV[2]), ARGV[3], ARGV[4]
for _, tag in ipairs(redis.call('SMEMBERS', tagsKey)) do
  redis.call('SREM', tagPrefix .. tag, key)
end
redis.call('DEL', tagsKey)
if px > 0 then
  redis.call('SET', entryKey, ARGV[1], 'PX', px)
else
  redis.call('SET', entryKey, ARGV[1])
end
for i = 7, #ARGV do
  local tagKey = tagPrefix .. ARGV[i]
  local ttl = redis.call('PTTL', tagKey)
  redis.call('SADD', tagKey, key)
  redis.call('SADD', tagsKey, ARGV[i])
  if px == 0 then
    redis.call('PERSIST', tagKey)
  elseif ttl == -2 or (ttl >= 0 and ttl < px) then
    redis.call('PEXPIRE', tagKey, px)
  end
end
if #ARGV >= 7 and px > 0 then
  redis.call('PEXPIRE', tagsKey, px)
end
redis.call('PUBLISH', ARGV[5], ARGV[6])
return 1
`);

/**
 * Removes an entry and its key from its tag sets; returns 1 when the entry existed.
 * KEYS: entry, entry-tags. ARGV: tag prefix, cache key, channel, message.
 */
export const DELETE_ENTRY = luaScript(`
for _, tag in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  redis.call('SREM', ARGV[1] .. tag, ARGV[2])
end
redis.call('DEL', KEYS[2])
local removed = redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return removed
`);

/**
 * Keys of a tag whose entry still exists; members whose entry expired are dropped on the way.
 * Touches only the tag's own keys (no SCAN). KEYS: tag set. ARGV: entry prefix.
 */
export const KEYS_BY_TAG = luaScript(`
local alive = {}
for _, key in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. key) == 1 then
    alive[#alive + 1] = key
  else
    redis.call('SREM', KEYS[1], key)
  end
end
return alive
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
