import Foundation

/// A Lua script run with `EVALSHA`; its SHA1 is learnt from `SCRIPT LOAD` on first use.
public struct RedisScript: Sendable {
    public let name: String
    public let source: String

    public init(name: String, source: String) {
        self.name = name
        self.source = source
    }
}

extension RedisConnection {
    /// Runs `script` by SHA, loading it first on this connection and again if the server
    /// answers `NOSCRIPT` (after a restart or `SCRIPT FLUSH`).
    ///
    /// Error replies raised by the script are thrown as `redisScript` errors whose message
    /// is the script's own error text.
    public func evaluate(_ script: RedisScript, keys: [String], arguments: [String]) throws -> RESPValue {
        for _ in 0..<2 {
            let sha = try loadedSHA(of: script)
            var command = RedisCommand("EVALSHA")
            command.append(sha)
            command.append(keys.count)
            command.append(contentsOf: keys)
            command.append(contentsOf: arguments)
            let reply = try perform(command, timeoutMilliseconds: nil)
            guard case .error(let message) = reply else { return reply }
            if message.hasPrefix("NOSCRIPT") {
                scriptSHAs[script.name] = nil
                continue
            }
            throw RedisError(.redisScript, Self.scriptMessage(message), cause: nil)
        }
        throw RedisError(.redisScript, "script \(script.name) was flushed twice while running it")
    }

    private func loadedSHA(of script: RedisScript) throws -> String {
        if let sha = scriptSHAs[script.name] { return sha }
        let reply = try perform(RedisCommand("SCRIPT", ["LOAD", script.source]), timeoutMilliseconds: nil)
        if case .error(let message) = reply {
            throw RedisError(.redisScript, "script \(script.name) does not compile: \(message)")
        }
        guard let sha = reply.string else {
            throw RedisError(.redisProtocol, "SCRIPT LOAD answered \(reply)")
        }
        scriptSHAs[script.name] = sha
        return sha
    }

    /// Redis wraps errors raised with `error()` in location text; `error_reply` ones arrive as given.
    private static func scriptMessage(_ message: String) -> String {
        if let range = message.range(of: "user_script:") {
            let tail = message[range.upperBound...]
            if let colon = tail.firstIndex(of: ":") {
                return tail[tail.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return message
    }
}
