-- Fletch online compare-and-set: one field in each of several entity hashes, replaced only where it
-- still holds what the caller read. Keys of one cluster hash slot only (as upsert.lua).
-- KEYS[i]       the entity hashes
-- ARGV[1]       the field
-- ARGV[2]       the ttl in milliseconds (0 = never expires)
-- ARGV[1+2i]    what KEYS[i] is expected to hold in the field ('' = nothing)
-- ARGV[2+2i]    the new entry
-- Returns a string with one character per key: '1' replaced, '0' it held something else.
-- Expiry as upsert.lua: PEXPIRE only ever extends a hash's life; PERSIST once a ttl-0 view wrote.
local field = ARGV[1]
local ttl = tonumber(ARGV[2])
local out = {}
for i, key in ipairs(KEYS) do
  local expected = ARGV[1 + 2 * i]
  local entry = ARGV[2 + 2 * i]
  local remaining = redis.call('PTTL', key)
  local stored = false
  if remaining ~= -2 then
    stored = redis.call('HGET', key, field)
  end
  if (stored or '') == expected then
    redis.call('HSET', key, field, entry)
    if ttl == 0 then
      if remaining >= 0 then
        redis.call('PERSIST', key)
      end
    elseif remaining == -2 or (remaining >= 0 and remaining < ttl) then
      redis.call('PEXPIRE', key, ttl)
    end
    out[i] = '1'
  else
    out[i] = '0'
  end
end
return table.concat(out)
