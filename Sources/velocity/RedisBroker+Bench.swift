import ArgumentParser
import Broker
import RedisClient

extension RedisBroker {
    /// Deletes every key of a bench queue (all share its prefix), so each bench phase starts
    /// empty whatever keys the scripts keep. For benches only: it SCANs the whole keyspace.
    func deleteQueueKeys(_ queue: String) async throws {
        let pattern = keys(queue).base + "*"
        var cursor = "0"
        repeat {
            let reply = try await send(RedisCommand("SCAN", [cursor, "MATCH", pattern, "COUNT", "1000"]))
            guard case .array(let parts) = reply, parts.count == 2, let next = parts[0].string,
                case .array(let found) = parts[1]
            else { throw ValidationError("SCAN answered \(reply)") }
            cursor = next
            let names = found.compactMap(\.string)
            if !names.isEmpty {
                var command = RedisCommand("DEL")
                command.append(contentsOf: names)
                _ = try await send(command)
            }
        } while cursor != "0"
    }

    /// The server's `used_memory` in bytes.
    func usedMemory() async throws -> Int {
        guard let bytes = try await info("memory")["used_memory"].flatMap({ Int($0) }) else {
            throw ValidationError("INFO memory has no used_memory")
        }
        return bytes
    }

    /// One section of `INFO` as its `name:value` lines.
    func info(_ section: String) async throws -> [String: String] {
        guard let text = try await send(RedisCommand("INFO", [section])).string else { return [:] }
        var pairs: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            pairs[String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        return pairs
    }
}
