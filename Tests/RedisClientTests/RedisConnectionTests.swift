import Foundation
import RedisClient
import Synchronization
import TestSupport
import Testing
import VelocityTypes

@Suite("Redis client over hiredis")
struct RedisConnectionTests {
    func connect(_ url: String? = nil, _ adjust: (inout RedisConfiguration) -> Void = { _ in }) async throws -> RedisConnection {
        var configuration = try RedisConfiguration(url: url ?? TestServers.redisServerURL())
        adjust(&configuration)
        return try await RedisConnection.connect(configuration)
    }

    @Test("arguments and replies are binary safe: NUL, newlines, invalid UTF-8, empty")
    func binarySafe() async throws {
        let connection = try await connect()
        let key = "rc:" + UUID().uuidString
        let value: [UInt8] = [0, 13, 10, 255, 0xC3, 0x28, 36, 0]
        var set = RedisCommand("SET")
        set.append(key)
        set.append(bytes: value)
        try await connection.send(set)
        #expect(try await connection.send("GET", key) == .bulkString(value))
        try await connection.send("SET", key, "")
        #expect(try await connection.send("GET", key) == .bulkString([]))
        #expect(try await connection.send("GET", key + ":missing") == .null)
        try await connection.send("DEL", key)
        await connection.close()
    }

    @Test("a pipeline sends every command before reading and keeps error replies in place")
    func pipelining() async throws {
        let connection = try await connect()
        let key = "rc:" + UUID().uuidString
        let replies = try await connection.pipeline(
            (0..<100).map { _ in RedisCommand("INCR", [key]) } + [RedisCommand("HGET", [key, "f"]), RedisCommand("GET", [key])])
        #expect(replies.prefix(100).map { $0.int } == (1...100).map { Optional($0) })
        guard case .error(let message) = replies[100] else {
            Issue.record("expected WRONGTYPE, got \(replies[100])")
            return
        }
        #expect(message.hasPrefix("WRONGTYPE"))
        #expect(replies[101].string == "100")
        try await connection.send("DEL", key)
        await connection.close()
    }

    @Test("an error reply is thrown as a server error")
    func serverError() async throws {
        let connection = try await connect()
        await #expect { try await connection.send("NOSUCHCOMMAND") } throws: { error in
            (error as? RedisError)?.code == .redisServer
        }
        // The connection stays usable.
        #expect(try await connection.send("PING") == .simpleString("PONG"))
        await connection.close()
    }

    @Test("scripts run by SHA and are reloaded after SCRIPT FLUSH (NOSCRIPT fallback)")
    func scriptsReloadAfterFlush() async throws {
        let server = try RedisServerProcess()
        let connection = try await connect(server.url)
        let script = RedisScript(name: "sum", source: "return tonumber(ARGV[1]) + tonumber(ARGV[2])")
        #expect(try await connection.evaluate(script, keys: [], arguments: ["2", "3"]) == .integer(5))
        try await connection.send("SCRIPT", "FLUSH")
        #expect(try await connection.evaluate(script, keys: [], arguments: ["4", "5"]) == .integer(9))
        await connection.close()
    }

    @Test("pipelined script calls run in order; flushed ones run again; a raised error is thrown after all ran")
    func pipelinedScripts() async throws {
        let server = try RedisServerProcess()
        let connection = try await connect(server.url)
        let append = RedisScript(
            name: "append",
            source: "if ARGV[1] == 'fail' then return redis.error_reply('VJ_TEST no') end "
                + "return redis.call('RPUSH', KEYS[1], ARGV[1])")
        let replies = try await connection.withIsolation { connection in
            try connection.evaluate(append, calls: 5) { (["list"], [String($0)]) }
        }
        #expect(replies == (1...5).map { .integer($0) })
        // The SHA this connection knows is gone: every call answers NOSCRIPT and runs again.
        try await connection.send("SCRIPT", "FLUSH")
        let again = try await connection.withIsolation { connection in
            try connection.evaluate(append, calls: 3) { (["list"], [String(5 + $0)]) }
        }
        #expect(again == (6...8).map { .integer($0) })
        await #expect {
            try await connection.withIsolation { connection in
                try connection.evaluate(append, calls: 3) { (["list"], [$0 == 1 ? "fail" : "x\($0)"]) }
            }
        } throws: { error in
            (error as? RedisError)?.code == .redisScript && (error as? RedisError)?.message.hasPrefix("VJ_TEST") == true
        }
        let list = try await connection.send("LRANGE", "list", "0", "-1")
        #expect(list == .array(["0", "1", "2", "3", "4", "5", "6", "7", "x0", "x2"].map { .bulkString(Array($0.utf8)) }))
        await connection.close()
    }

    @Test("a script's error comes back as a script error with its message")
    func scriptError() async throws {
        let connection = try await connect()
        let script = RedisScript(name: "refuse", source: "return redis.error_reply('VJ_TEST refused on purpose')")
        await #expect { try await connection.evaluate(script, keys: [], arguments: []) } throws: { error in
            guard let error = error as? RedisError else { return false }
            return error.code == .redisScript && error.message.hasPrefix("VJ_TEST refused on purpose")
        }
        let broken = RedisScript(name: "broken", source: "this is not lua")
        await #expect { try await connection.evaluate(broken, keys: [], arguments: []) } throws: { error in
            (error as? RedisError)?.code == .redisScript
        }
        await connection.close()
    }

    @Test("nothing listening: connection refused, after the configured retries")
    func connectionRefused() async throws {
        let port = try FreePort.find()
        await #expect {
            try await connect("redis://127.0.0.1:\(port)") {
                $0.reconnectAttempts = 2
                $0.reconnectInitialDelayMilliseconds = 10
            }
        } throws: { error in
            (error as? RedisError)?.code == .redisConnectionRefused
        }
    }

    @Test("a wrong password is an authentication error, not retried")
    func authentication() async throws {
        let server = try RedisServerProcess(arguments: ["--requirepass", "s3cret"])
        await #expect { try await connect("redis://:wrong@127.0.0.1:\(server.port)") } throws: { error in
            (error as? RedisError)?.code == .redisAuthentication
        }
        let connection = try await connect("redis://:s3cret@127.0.0.1:\(server.port)/2")
        #expect(try await connection.send("PING") == .simpleString("PONG"))
        await connection.close()
    }

    @Test("a command past its timeout fails with a timeout, and the next command reconnects")
    func timeoutThenReconnect() async throws {
        let server = try RedisServerProcess(arguments: ["--enable-debug-command", "yes"])
        let connection = try await connect(server.url) { $0.commandTimeoutMilliseconds = 100 }
        await #expect { try await connection.send("DEBUG", "SLEEP", "0.5") } throws: { error in
            (error as? RedisError)?.code == .redisTimeout
        }
        // Redis serves one command at a time: let it finish sleeping before the next one.
        try await Task.sleep(for: .milliseconds(700))
        #expect(try await connection.send("PING") == .simpleString("PONG"))
        await connection.close()
    }

    @Test("after a server restart the connection reconnects with backoff")
    func reconnectAfterRestart() async throws {
        let server = try RedisServerProcess(arguments: ["--appendonly", "yes"])
        let connection = try await connect(server.url)
        try await connection.send("SET", "k", "v")
        server.kill()
        await #expect { try await connection.send("GET", "k") } throws: { error in
            let code = (error as? RedisError)?.code
            return code == .redisIO || code == .redisConnectionRefused
        }
        try server.start()
        #expect(try await connection.send("PING") == .simpleString("PONG"))
        await connection.close()
    }

    @Test("blocking commands wait on their own threads: many BLPOPs do not stall other work")
    func blockingDoesNotStarveTheCooperativePool() async throws {
        let url = try TestServers.redisServerURL()
        let list = "rc:block:" + UUID().uuidString
        // More blocked connections than the machine has cores: if BLPOP held cooperative
        // threads, the PING below could not run until they returned.
        let blockers = ProcessInfo.processInfo.activeProcessorCount * 2 + 2
        let finished = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<blockers {
                group.addTask {
                    let connection = try await RedisConnection.connect(RedisConfiguration(url: url))
                    _ = try await connection.sendBlocking(RedisCommand("BLPOP", [list, "3"]), blockMilliseconds: 3_000)
                    finished.value.add(1, ordering: .relaxed)
                    await connection.close()
                }
            }
            try await Task.sleep(for: .milliseconds(200))
            let other = try await connect()
            #expect(try await other.send("PING") == .simpleString("PONG"))
            #expect(finished.value.load(ordering: .relaxed) == 0, "the PING answered while every BLPOP was still blocked")
            // Release the blockers.
            for _ in 0..<blockers { try await other.send("RPUSH", list, "x") }
            try await group.waitForAll()
            await other.close()
        }
        #expect(finished.value.load(ordering: .relaxed) == blockers)
    }

    @Test("a call after close fails with redisClosed instead of hanging")
    func callAfterClose() async throws {
        let connection = try await connect()
        await connection.close()
        // Let the connection's thread exit, so the call below arrives after it is gone.
        try await Task.sleep(for: .milliseconds(50))
        await #expect { try await connection.send("PING") } throws: { ($0 as? RedisError)?.code == .redisClosed }
    }

    @Test("URLs are parsed; a non-redis URL is refused")
    func configurationParsing() throws {
        let configuration = try RedisConfiguration(url: "redis://user:p%40ss@10.0.0.1:7000/3")
        #expect(configuration.host == "10.0.0.1")
        #expect(configuration.port == 7000)
        #expect(configuration.username == "user")
        #expect(configuration.password == "p@ss")
        #expect(configuration.database == 3)
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "http://localhost") }
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://localhost/abc") }
    }
}

final class Counter: Sendable {
    let value = Atomic<Int>(0)
}
