-- Fletch online write: one view's entry in each of several entity hashes, never replacing a newer
-- event time. The caller passes only keys of one cluster hash slot (in practice: any keys on a
-- standalone server, keys grouped by slot on a cluster), so the script is cluster-safe.
-- KEYS[i]   the entity hashes
-- ARGV[1]   the field (the view's name)
-- ARGV[2]   the view's ttl in milliseconds (0 = never expires)
-- ARGV[2+i] the encoded entry for KEYS[i] (format version 1: byte 1 is the version, bytes 2..9 the
--           event time in microseconds, big-endian signed)
-- Returns how many entries were written (the others kept a newer event time).
-- Expiry: a hash lives the longest ttl of the views written to it (PEXPIRE only ever extends it), and
-- never expires once a view with ttl 0 has written to it (PERSIST; a persistent hash stays so).
local field = ARGV[1]
local ttl = tonumber(ARGV[2])
local written = 0
for i, key in ipairs(KEYS) do
  local entry = ARGV[i + 2]
  -- PTTL: -2 no such hash, -1 no expiry (a ttl-0 view wrote it), else milliseconds left.
  local remaining = redis.call('PTTL', key)
  local newer = true
  if remaining ~= -2 then
    local stored = redis.call('HGET', key, field)
    if stored and struct.unpack('>i8', stored, 2) > struct.unpack('>i8', entry, 2) then
      newer = false
    end
  end
  if newer then
    redis.call('HSET', key, field, entry)
    if ttl == 0 then
      if remaining >= 0 then
        redis.call('PERSIST', key)
      end
    elseif remaining == -2 or (remaining >= 0 and remaining < ttl) then
      redis.call('PEXPIRE', key, ttl)
    end
    written = written + 1
  end
end
return written
