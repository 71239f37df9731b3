import CHiredis
import Foundation
import VelocityTypes

/// One connection to Redis over hiredis' synchronous API.
///
/// The actor runs on a thread of its own (`DedicatedThreadExecutor`), so hiredis' blocking reads,
/// including `BLPOP`-style commands that wait for seconds, never hold a cooperative thread.
/// A broken connection is reopened, with exponential backoff, before the next command.
public actor RedisConnection {
    public let configuration: RedisConfiguration
    private let executor: DedicatedThreadExecutor
    // Touched only on the connection's own thread, and by deinit once nothing else can.
    nonisolated(unsafe) private var context: UnsafeMutablePointer<redisContext>?
    private var closed = false
    /// SHA1 of each script already loaded through this connection, by script name.
    var scriptSHAs: [String: String] = [:]
    /// With Sentinel, the master this connection last connected to.
    private var resolvedMaster: RedisClusterTopology.Endpoint?

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    init(configuration: RedisConfiguration, name: String) {
        self.configuration = configuration
        self.executor = DedicatedThreadExecutor(name: name)
    }

    /// Opens a connection, retrying with backoff, and fails with a clear error if Redis cannot be reached.
    public static func connect(
        _ configuration: RedisConfiguration, name: String = "velocity-redis"
    ) async throws -> RedisConnection {
        let connection = RedisConnection(configuration: configuration, name: name)
        do {
            try await connection.open()
        } catch {
            await connection.close()
            throw error
        }
        return connection
    }

    deinit {
        if let context { redisFree(context) }
        executor.shutdown()
    }

    private func open() throws { _ = try liveContext() }

    /// Runs one command; an error reply is thrown as `RedisError`.
    @discardableResult
    public func send(_ command: RedisCommand) throws -> RESPValue {
        let reply = try perform(command, timeoutMilliseconds: nil)
        if case .error(let message) = reply {
            throw RedisError(.redisServer, message)
        }
        return reply
    }

    /// Convenience for commands whose arguments are all text.
    @discardableResult
    public func send(_ name: String, _ arguments: String...) throws -> RESPValue {
        try send(RedisCommand(name, arguments))
    }

    /// Sends every command before reading any reply: one round trip for the lot.
    /// Error replies come back in place as `.error` values.
    public func pipeline(_ commands: [RedisCommand]) throws -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        let context = try liveContext()
        for command in commands {
            let status = command.withArgv { argc, argv, lengths in
                redisAppendCommandArgv(context, argc, argv, lengths)
            }
            if status != REDIS_OK { throw dropContext(context, while: "buffering a pipeline") }
        }
        var replies: [RESPValue] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            var raw: UnsafeMutableRawPointer?
            if redisGetReply(context, &raw) != REDIS_OK || raw == nil {
                throw dropContext(context, while: "reading a pipeline reply")
            }
            replies.append(Self.copyAndFree(raw!))
        }
        return replies
    }

    /// Sends `count` commands, each made just before it is written and written at once, so the
    /// server runs the first while the next is being made (a bulk enqueue's chunks); then reads
    /// every reply. Error replies come back in place as `.error` values.
    public func pipeline(count: Int, _ make: (Int) throws -> RedisCommand) throws -> [RESPValue] {
        guard count > 0 else { return [] }
        let context = try liveContext()
        for index in 0..<count {
            let command = try make(index)
            let status = command.withArgv { argc, argv, lengths in
                redisAppendCommandArgv(context, argc, argv, lengths)
            }
            if status != REDIS_OK { throw dropContext(context, while: "buffering a pipeline") }
            var done: Int32 = 0
            repeat {
                if redisBufferWrite(context, &done) != REDIS_OK {
                    throw dropContext(context, while: "writing a pipeline")
                }
            } while done == 0
        }
        var replies: [RESPValue] = []
        replies.reserveCapacity(count)
        for _ in 0..<count {
            var raw: UnsafeMutableRawPointer?
            if redisGetReply(context, &raw) != REDIS_OK || raw == nil {
                throw dropContext(context, while: "reading a pipeline reply")
            }
            replies.append(Self.copyAndFree(raw!))
        }
        return replies
    }

    /// Runs a command that may block on the server (`BLPOP`, `BZPOPMIN`…) for up to
    /// `blockMilliseconds`; the socket timeout is stretched for this command only.
    public func sendBlocking(_ command: RedisCommand, blockMilliseconds: Int) throws -> RESPValue {
        let reply = try perform(
            command, timeoutMilliseconds: blockMilliseconds + configuration.commandTimeoutMilliseconds)
        if case .error(let message) = reply {
            throw RedisError(.redisServer, message)
        }
        return reply
    }

    /// Runs several steps on the connection's thread in one go, without hopping back to the
    /// caller's executor between them.
    public func withIsolation<T: Sendable>(_ body: @Sendable (isolated RedisConnection) throws -> T) throws -> T {
        try body(self)
    }

    /// Closes the connection; later commands fail with `redisClosed`.
    public func close() {
        closed = true
        if let context {
            redisFree(context)
            self.context = nil
        }
        executor.shutdown()
    }

    func perform(_ command: RedisCommand, timeoutMilliseconds: Int?) throws -> RESPValue {
        let context = try liveContext()
        if let timeoutMilliseconds {
            redisSetTimeout(context, velocity_timeval_ms(Int64(timeoutMilliseconds)))
        }
        defer {
            if timeoutMilliseconds != nil, let live = self.context {
                redisSetTimeout(live, velocity_timeval_ms(Int64(configuration.commandTimeoutMilliseconds)))
            }
        }
        let raw = command.withArgv { argc, argv, lengths in
            redisCommandArgv(context, argc, argv, lengths)
        }
        guard let raw else { throw dropContext(context, while: "running a command") }
        let reply = Self.copyAndFree(raw)
        if configuration.sentinel != nil, case .error(let message) = reply, message.hasPrefix("READONLY") {
            // A master demoted by a failover: the next command asks the sentinels again.
            redisFree(context)
            if self.context == context { self.context = nil }
            scriptSHAs.removeAll()
        }
        return reply
    }

    private static func copyAndFree(_ raw: UnsafeMutableRawPointer) -> RESPValue {
        defer { freeReplyObject(raw) }
        return RESPValue(copying: raw.assumingMemoryBound(to: redisReply.self))
    }

    /// The open context, reopening it (with backoff) if the last one broke.
    private func liveContext() throws -> UnsafeMutablePointer<redisContext> {
        if closed { throw RedisError(.redisClosed, "connection to \(address) was closed") }
        if let context { return context }
        var delay = configuration.reconnectInitialDelayMilliseconds
        var lastError = RedisError(.redisConnectionRefused, "could not connect to \(address)")
        for attempt in 0...max(0, configuration.reconnectAttempts) {
            if attempt > 0 {
                // This thread belongs to the connection alone: sleeping here blocks nobody else.
                usleep(UInt32(delay) * 1_000)
                delay = min(delay * 2, configuration.reconnectMaxDelayMilliseconds)
            }
            do {
                let context = try openOnce()
                self.context = context
                return context
            } catch let error as RedisError {
                if error.code == .redisAuthentication { throw error }
                lastError = error
            }
        }
        throw lastError
    }

    /// Where the connection goes: the configured host, or the master the sentinels named last.
    private var address: String { "\(target.host):\(target.port)" }
    private var target: RedisClusterTopology.Endpoint {
        resolvedMaster ?? .init(host: configuration.host, port: configuration.port)
    }

    private func openOnce() throws -> UnsafeMutablePointer<redisContext> {
        if let sentinel = configuration.sentinel { resolvedMaster = try masterAddress(sentinel) }
        let target = self.target
        guard
            let context = redisConnectWithTimeout(
                target.host, Int32(target.port),
                velocity_timeval_ms(Int64(configuration.connectTimeoutMilliseconds)))
        else {
            throw RedisError(.redisConnectionRefused, "could not allocate a connection to \(address)")
        }
        if context.pointee.err != 0 {
            let message = String(cString: velocity_redis_errstr(context))
            redisFree(context)
            throw RedisError(.redisConnectionRefused, "cannot connect to \(address): \(message)")
        }
        redisSetTimeout(context, velocity_timeval_ms(Int64(configuration.commandTimeoutMilliseconds)))
        var handshake: [RedisCommand] = []
        if let password = configuration.password {
            var auth = RedisCommand("AUTH")
            if let username = configuration.username { auth.append(username) }
            auth.append(password)
            handshake.append(auth)
        }
        if configuration.database != 0 {
            handshake.append(RedisCommand("SELECT", [String(configuration.database)]))
        }
        // A server still loading its AOF accepts connections but answers LOADING: not ready yet.
        handshake.append(RedisCommand("PING"))
        // What the sentinels call the master must say so itself (a failover may be under way).
        if configuration.sentinel != nil { handshake.append(RedisCommand("ROLE")) }
        for command in handshake {
            let raw = command.withArgv { argc, argv, lengths in
                redisCommandArgv(context, argc, argv, lengths)
            }
            guard let raw else {
                let message = String(cString: velocity_redis_errstr(context))
                redisFree(context)
                throw RedisError(.redisConnectionRefused, "handshake with \(address) failed: \(message)")
            }
            let reply = Self.copyAndFree(raw)
            if case .error(let message) = reply {
                redisFree(context)
                if message.hasPrefix("LOADING") {
                    throw RedisError(.redisConnectionRefused, "\(address) is still loading its data")
                }
                throw RedisError(.redisAuthentication, "\(address) refused the handshake: \(message)")
            }
            if case .array(let role) = reply, role.first?.string != "master" {
                redisFree(context)
                throw RedisError(
                    .redisConnectionRefused, "\(address), which the sentinels name the master, is a \(role.first?.string ?? "?")")
            }
        }
        return context
    }

    /// The master's address from the first sentinel that knows it
    /// (`SENTINEL get-master-addr-by-name`); on this connection's own thread, like every connect.
    private func masterAddress(_ sentinel: RedisConfiguration.Sentinel) throws -> RedisClusterTopology.Endpoint {
        var problems: [String] = []
        for endpoint in sentinel.sentinels {
            guard
                let context = redisConnectWithTimeout(
                    endpoint.host, Int32(endpoint.port), velocity_timeval_ms(Int64(configuration.connectTimeoutMilliseconds)))
            else { continue }
            defer { redisFree(context) }
            if context.pointee.err != 0 {
                problems.append("\(endpoint): \(String(cString: velocity_redis_errstr(context)))")
                continue
            }
            redisSetTimeout(context, velocity_timeval_ms(Int64(configuration.commandTimeoutMilliseconds)))
            let command = RedisCommand("SENTINEL", ["get-master-addr-by-name", sentinel.masterName])
            let raw = command.withArgv { argc, argv, lengths in redisCommandArgv(context, argc, argv, lengths) }
            guard let raw else {
                problems.append("\(endpoint): \(String(cString: velocity_redis_errstr(context)))")
                continue
            }
            let reply = Self.copyAndFree(raw)
            guard case .array(let pair) = reply, pair.count == 2, let host = pair[0].string, let port = pair[1].int,
                (1...65_535).contains(port)
            else {
                problems.append("\(endpoint) answered \(reply)")
                continue
            }
            return .init(host: host, port: port)
        }
        throw RedisError(
            .redisConnectionRefused,
            "no sentinel named the master \(sentinel.masterName): \(problems.isEmpty ? "none answered" : problems.joined(separator: "; "))"
        )
    }

    /// Frees a context that hit an I/O error (hiredis cannot reuse it) and describes the failure.
    private func dropContext(_ context: UnsafeMutablePointer<redisContext>, while doing: String) -> RedisError {
        let code = context.pointee.err
        let message = String(cString: velocity_redis_errstr(context))
        let timedOut = code == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK)
        redisFree(context)
        if self.context == context { self.context = nil }
        scriptSHAs.removeAll()
        if timedOut {
            return RedisError(.redisTimeout, "\(address) did not answer in time while \(doing)")
        }
        return RedisError(.redisIO, "connection to \(address) failed while \(doing): \(message)")
    }
}
