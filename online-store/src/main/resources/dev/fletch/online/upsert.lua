-- Fletch online write: one view's entry of one entity hash, never replacing a newer event time.
-- KEYS[1] the entity hash; ARGV[1] the field (view name); ARGV[2] the encoded entry (format version 1:
-- byte 1 is the version, bytes 2..9 the event time in microseconds, big-endian); ARGV[3] the view's ttl
-- in milliseconds (0 = never expires). Returns 1 when written, 0 when a newer entry was kept.
-- Expiry: the hash lives the longest ttl of the views written to it since it was created, and never
-- expires once a view with ttl 0 has written to it.
local key = KEYS[1]
-- PTTL: -2 no such key, -1 no expiry (a ttl-0 view wrote it), else milliseconds left.
local remaining = redis.call('PTTL', key)
if remaining ~= -2 then
  local stored = redis.call('HGET', key, ARGV[1])
  if stored and struct.unpack('>i8', stored, 2) > struct.unpack('>i8', ARGV[2], 2) then
    return 0
  end
end
redis.call('HSET', key, ARGV[1], ARGV[2])
local ttl = tonumber(ARGV[3])
if ttl == 0 then
  if remaining >= 0 then
    redis.call('PERSIST', key)
  end
elseif remaining == -2 or (remaining >= 0 and remaining < ttl) then
  redis.call('PEXPIRE', key, ttl)
end
return 1
