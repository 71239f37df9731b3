/// One Redis command, its arguments packed into a single buffer.
///
/// hiredis' `…Argv` calls take a pointer and an explicit length per argument, so the arguments
/// are binary safe and never copied again: the argv array points into `bytes`.
public struct RedisCommand: Sendable {
    var bytes: [UInt8] = []
    var ends: [Int] = []

    public init(_ name: String) {
        append(name)
    }

    public init(_ name: String, _ arguments: [String]) {
        append(name)
        for argument in arguments { append(argument) }
    }

    public var argumentCount: Int { ends.count }

    public mutating func append(_ argument: String) {
        var argument = argument
        argument.withUTF8 { bytes.append(contentsOf: $0) }
        ends.append(bytes.count)
    }

    public mutating func append(_ argument: Int) {
        append(String(argument))
    }

    public mutating func append(bytes argument: some Collection<UInt8>) {
        bytes.append(contentsOf: argument)
        ends.append(bytes.count)
    }

    public mutating func append(contentsOf arguments: some Sequence<String>) {
        for argument in arguments { append(argument) }
    }

    /// Calls `body` with hiredis-shaped argv and argvlen arrays that stay valid for its duration.
    func withArgv<T>(
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) throws -> T
    ) rethrows -> T {
        let count = ends.count
        var lengths = [Int](repeating: 0, count: count)
        var start = 0
        for (i, end) in ends.enumerated() {
            lengths[i] = end - start
            start = end
        }
        // An empty buffer still needs a valid base address for zero-length arguments.
        let storage = bytes.isEmpty ? [0] : bytes
        return try storage.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            var argv = [UnsafePointer<CChar>?](repeating: nil, count: count)
            var offset = 0
            for i in 0..<count {
                argv[i] = base + offset
                offset += lengths[i]
            }
            return try argv.withUnsafeMutableBufferPointer { argvBuffer in
                try lengths.withUnsafeBufferPointer { lengthBuffer in
                    try body(Int32(count), argvBuffer.baseAddress!, lengthBuffer.baseAddress!)
                }
            }
        }
    }
}

extension RedisCommand {
    /// The key a cluster routes this command by: its first argument, as for nearly every
    /// command; nil for the commands that name no key (`PING`, `TIME`, `INFO`, `SCAN`…), which
    /// any node answers.
    public var routingKey: String? {
        guard ends.count >= 2 else { return nil }
        let name = String(decoding: bytes[0..<ends[0]], as: UTF8.self).uppercased()
        guard !Self.keyless.contains(name) else { return nil }
        return String(decoding: bytes[ends[0]..<ends[1]], as: UTF8.self)
    }

    /// Commands whose first argument is not a key.
    static let keyless: Set<String> = [
        "PING", "ECHO", "TIME", "INFO", "CONFIG", "SCAN", "KEYS", "DBSIZE", "FLUSHALL", "FLUSHDB", "CLUSTER",
        "SCRIPT", "CLIENT", "DEBUG", "MEMORY", "COMMAND", "AUTH", "SELECT", "HELLO", "ASKING", "READONLY",
        "SLOWLOG", "LATENCY", "ACL", "FUNCTION", "WAIT", "SHUTDOWN", "SAVE", "BGSAVE", "BGREWRITEAOF", "LASTSAVE",
        "PUBLISH", "SUBSCRIBE", "PSUBSCRIBE", "MULTI", "EXEC", "DISCARD", "ROLE", "REPLICAOF", "FAILOVER",
    ]
}
