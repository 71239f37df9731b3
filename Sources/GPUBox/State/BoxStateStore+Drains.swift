import Foundation
public import RedisClient

/// Drained GPUs, `<ns>:box:<id>:drains`: a hash of GPU index → `GPUDrain` JSON. Operators and
/// the agent write it, the agent follows it every tick, `GET /v1/gpus` shows it.
extension BoxStateStore {
    /// Drains GPU `index` of `box`; returns the drain as stored (stamped with Redis time). A GPU
    /// already drained keeps its first drain, unless this one is `immediate` and that one was not.
    @discardableResult
    public func drain(box: String, gpu index: Int, requestedBy: String, reason: String, immediate: Bool) async throws
        -> GPUDrain
    {
        let reply = try await redis.evaluate(
            Self.drainScript, keys: [drainsKey(box)], arguments: [String(index), requestedBy, reason, immediate ? "1" : "0"])
        guard let json = reply.string else {
            throw RedisError(.redisProtocol, "box_drain answered \(reply) instead of the stored drain")
        }
        return try JSONDecoder().decode(GPUDrain.self, from: Data(json.utf8))
    }

    /// Puts GPU `index` of `box` back in service; returns whether it was drained.
    @discardableResult
    public func undrain(box: String, gpu index: Int) async throws -> Bool {
        try await redis.send(RedisCommand("HDEL", [drainsKey(box), String(index)])).int == 1
    }

    /// The drained GPUs of `box`, by index. A field that does not parse is skipped: one bad
    /// write must not put every GPU back to work or stop the agent.
    public func drains(box: String) async throws -> [Int: GPUDrain] {
        let reply = try await redis.send(RedisCommand("HGETALL", [drainsKey(box)]))
        let items = reply.array ?? []
        var drains: [Int: GPUDrain] = [:]
        for pair in stride(from: 0, to: items.count - 1, by: 2) {
            guard let index = items[pair].string.flatMap(Int.init), let json = items[pair + 1].string,
                let drain = try? JSONDecoder().decode(GPUDrain.self, from: Data(json.utf8))
            else { continue }
            drains[index] = drain
        }
        return drains
    }

    func drainsKey(_ box: String) -> String { "\(keyBase):box:\(box):drains" }

    static let drainScript = RedisScript(
        name: "box_drain",
        source: """
            local old = redis.call('HGET', KEYS[1], ARGV[1])
            if old then
                local decoded = cjson.decode(old)
                if decoded.immediate or ARGV[4] ~= '1' then return old end
            end
            local now = redis.call('TIME')
            local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
            local json = cjson.encode({requested_by = ARGV[2], requested_at_ms = ms, reason = ARGV[3],
                immediate = ARGV[4] == '1'})
            redis.call('HSET', KEYS[1], ARGV[1], json)
            return json
            """)
}
