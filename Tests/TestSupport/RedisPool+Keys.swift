public import RedisClient

extension RedisPool {
    /// Every key matching `pattern`: on one server one `SCAN`; on a Redis Cluster a `SCAN` of
    /// each master, since a keyless command reaches one node only.
    public func keys(matching pattern: String) async throws -> [String] {
        guard configuration.isCluster else { return try await Self.scan(pattern) { try await self.send($0) } }
        var keys: [String] = []
        for master in try await masters() {
            let connection = try await RedisConnection.connect(
                try RedisConfiguration(url: "redis://\(master)"), name: "velocity-test-scan")
            do {
                keys += try await Self.scan(pattern) { try await connection.send($0) }
            } catch {
                await connection.close()
                throw error
            }
            await connection.close()
        }
        return keys
    }

    /// Deletes every key matching `pattern` (a test namespace's share of a `FLUSHALL`): in
    /// batches on one server, a key a command on a cluster (its keys live in many hash slots).
    public func deleteKeys(matching pattern: String) async throws {
        let keys = try await keys(matching: pattern)
        if configuration.isCluster {
            for key in keys { try await send(RedisCommand("DEL", [key])) }
        } else {
            for start in stride(from: 0, to: keys.count, by: 1_000) {
                try await send(RedisCommand("DEL", Array(keys[start..<min(start + 1_000, keys.count)])))
            }
        }
    }

    /// The masters' `host:port`, from the slot map `CLUSTER SLOTS` gives.
    private func masters() async throws -> [String] {
        let reply = try await send(RedisCommand("CLUSTER", ["SLOTS"]))
        return try RedisClusterTopology(slotsReply: reply, fallbackHost: configuration.host).masters.map(\.description)
    }

    private static func scan(_ pattern: String, _ send: (RedisCommand) async throws -> RESPValue) async throws -> [String] {
        var keys: [String] = []
        var cursor = "0"
        repeat {
            let reply = try await send(RedisCommand("SCAN", [cursor, "MATCH", pattern, "COUNT", "1000"]))
            guard let parts = reply.array, parts.count == 2 else { break }
            cursor = parts[0].string ?? "0"
            keys += (parts[1].array ?? []).compactMap(\.string)
        } while cursor != "0"
        return keys
    }
}
