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

    /// Runs `script` `count` times in one pipeline; the keys and arguments of each call are
    /// made just before it is sent (`pipeline(count:_:)`), so making the next overlaps the
    /// server running the last. A call the server had flushed the script for (`NOSCRIPT`: it
    /// did not run) is run again alone; the first error a script raised is thrown once every
    /// reply is read.
    public func evaluate(
        _ script: RedisScript, calls count: Int, _ make: (Int) throws -> (keys: [String], arguments: [String])
    ) throws -> [RESPValue] {
        let sha = try loadedSHA(of: script)
        var replies = try pipeline(count: count) { index in
            let (keys, arguments) = try make(index)
            var command = RedisCommand("EVALSHA")
            command.append(sha)
            command.append(keys.count)
            command.append(contentsOf: keys)
            command.append(contentsOf: arguments)
            return command
        }
        var failure: RedisError?
        for index in replies.indices {
            guard case .error(let message) = replies[index] else { continue }
            if message.hasPrefix("NOSCRIPT") {
                scriptSHAs[script.name] = nil
                let (keys, arguments) = try make(index)
                replies[index] = try evaluate(script, keys: keys, arguments: arguments)
            } else if failure == nil {
                failure = RedisError(.redisScript, Self.scriptMessage(message), cause: nil)
            }
        }
        if let failure { throw failure }
        return replies
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
