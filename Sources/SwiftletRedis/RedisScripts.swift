import SwiftletCore

/// A Lua script run with EVALSHA; its hash comes from SCRIPT LOAD, again after NOSCRIPT (a
/// restarted Redis). Scripts are what make ETag checks and transactions atomic in Redis.
final class RedisScript: Sendable {
    let source: String
    private let sha = Locked<String?>(nil)

    init(_ source: String) {
        self.source = source
    }

    func run(_ client: RedisClient, keys: [String], arguments: [[UInt8]]) async throws -> RESPValue {
        let tail: [[UInt8]] = [Array(String(keys.count).utf8)] + keys.map { Array($0.utf8) } + arguments
        if let sha = sha.withLock({ $0 }) {
            do {
                return try await client.send([Array("EVALSHA".utf8), Array(sha.utf8)] + tail)
            } catch RedisError.server(let message) where message.hasPrefix("NOSCRIPT") {}
        }
        let loaded = try await client.send(["SCRIPT", "LOAD", source])
        guard let hash = loaded.string else { throw RedisError.server("SCRIPT LOAD returned no hash") }
        sha.withLock { $0 = hash }
        return try await client.send([Array("EVALSHA".utf8), Array(hash.utf8)] + tail)
    }

    /// Conditional write of one key stored as Dapr does: a hash with `data` and `version`.
    /// ARGV: value, etag ("" for none), first-write ("1"/"0"), ttl seconds ("" for none).
    static let set = RedisScript(
        """
        local version = redis.call('HGET', KEYS[1], 'version')
        if ARGV[2] ~= '' then
          if version == false or version ~= ARGV[2] then return redis.error_reply('ETAG_MISMATCH') end
        elseif ARGV[3] == '1' and version ~= false then
          return redis.error_reply('ETAG_MISMATCH')
        end
        local next = redis.call('HINCRBY', KEYS[1], 'version', 1)
        redis.call('HSET', KEYS[1], 'data', ARGV[1])
        if ARGV[4] ~= '' then redis.call('EXPIRE', KEYS[1], ARGV[4]) else redis.call('PERSIST', KEYS[1]) end
        return next
        """)

    /// Conditional delete. ARGV: etag ("" for none).
    static let delete = RedisScript(
        """
        if ARGV[1] ~= '' then
          local version = redis.call('HGET', KEYS[1], 'version')
          if version == false or version ~= ARGV[1] then return redis.error_reply('ETAG_MISMATCH') end
        end
        return redis.call('DEL', KEYS[1])
        """)

    /// All-or-nothing: every condition is checked before anything is written.
    /// Per key i (KEYS[i]), ARGV holds 5 values: op ("set"/"del"), value, etag, first-write, ttl.
    static let transaction = RedisScript(
        """
        for i = 1, #KEYS do
          local base = (i - 1) * 5
          local etag = ARGV[base + 3]
          local version = redis.call('HGET', KEYS[i], 'version')
          if etag ~= '' then
            if version == false or version ~= etag then return redis.error_reply('ETAG_MISMATCH ' .. KEYS[i]) end
          elseif ARGV[base + 1] == 'set' and ARGV[base + 4] == '1' and version ~= false then
            return redis.error_reply('ETAG_MISMATCH ' .. KEYS[i])
          end
        end
        for i = 1, #KEYS do
          local base = (i - 1) * 5
          if ARGV[base + 1] == 'set' then
            redis.call('HINCRBY', KEYS[i], 'version', 1)
            redis.call('HSET', KEYS[i], 'data', ARGV[base + 2])
            if ARGV[base + 5] ~= '' then redis.call('EXPIRE', KEYS[i], ARGV[base + 5]) else redis.call('PERSIST', KEYS[i]) end
          else
            redis.call('DEL', KEYS[i])
          end
        end
        return #KEYS
        """)
}
