import RedisClient
import Synchronization

/// Reads one of a queue's streams — its events, or its cancel requests — over a connection of
/// its own: `XREAD BLOCK` waits on the server, so a follower learns of a change within about a
/// round trip, without polling.
final class RedisEventReader: JobEventReader {
    let queue: String
    private let key: String
    /// Moved after a failure in a cluster, so the next read goes to the stream's new owner.
    private let connection: RedisDedicatedConnection
    /// The stream id of the last entry read.
    private let cursor: Mutex<String>

    init(broker: RedisBroker, queue: String, stream: String) async throws {
        self.queue = queue
        self.key = stream
        let connection: RedisDedicatedConnection
        do {
            connection = try await RedisDedicatedConnection.open(broker.pool, forKey: stream, name: "velocity-events-\(queue)")
        } catch let error as RedisError {
            throw RedisBroker.brokerError(error)
        }
        self.connection = connection
        do {
            // The last entry now rather than XREAD's `$`: `$` means the end of the stream when
            // each read starts, which would skip the changes made between two reads.
            let last = try await connection.connection.send(RedisCommand("XREVRANGE", [key, "+", "-", "COUNT", "1"]))
            self.cursor = Mutex(try Self.entries(last, "last event").last?.id ?? "0-0")
        } catch {
            await connection.close()
            if let error = error as? RedisError { throw RedisBroker.brokerError(error) }
            throw error
        }
    }

    func read(maxEvents: Int, wait: Duration) async throws -> [JobEvent] {
        let block = max(wait.milliseconds, 1)
        let after = cursor.withLock { $0 }
        let reply: RESPValue
        do {
            reply = try await connection.connection.sendBlocking(
                RedisCommand(
                    "XREAD", ["COUNT", String(max(maxEvents, 1)), "BLOCK", String(block), "STREAMS", key, after]),
                blockMilliseconds: block)
        } catch let error as RedisError {
            await connection.recover(after: error)
            throw RedisBroker.brokerError(error)
        }
        let entries = try Self.streamEntries(xread: reply)
        guard let last = entries.last else { return [] }
        // Past the whole reply before its fields are decoded: an entry of the wrong shape fails
        // one read, not every read after it.
        cursor.withLock { $0 = last.id }
        return try entries.map { try Self.event(id: $0.id, fields: $0.fields) }
    }

    func close() async {
        await connection.close()
    }

    /// An `XREAD` reply of one stream: null when the wait ran out, else `[[key, entries]]`.
    static func streamEntries(xread reply: RESPValue) throws -> [(id: String, fields: RESPValue)] {
        if reply == .null { return [] }
        let streams = try reply.decodeArray("XREAD reply", count: 1)
        let stream = try streams[0].decodeArray("XREAD stream", count: 2)
        return try entries(stream[1], "XREAD entries")
    }

    /// Stream entries, `[[id, [field, value, …]], …]`, as `XRANGE` and `XREAD` give them.
    static func entries(_ reply: RESPValue, _ field: String) throws -> [(id: String, fields: RESPValue)] {
        try reply.decodeArray(field).map { entry in
            let pair = try entry.decodeArray("\(field) entry", count: 2)
            return (try pair[0].decodeText("\(field) entry id"), pair[1])
        }
    }

    /// An entry written by the prelude's `emit`: `job`, `state`, and `attempt` ('' for none).
    static func event(id: String, fields reply: RESPValue) throws -> JobEvent {
        let fields = try reply.decodeFields("event \(id)")
        func required(_ name: String) throws -> String {
            guard let value = fields[name] else {
                throw BrokerError.malformedReply("event \(id).\(name)", expected: "text", got: .null)
            }
            return value
        }
        let attempt = try required("attempt")
        guard attempt.isEmpty || Int(attempt) != nil else {
            throw BrokerError.malformedReply(
                "event \(id).attempt", expected: "an integer or ''", got: .bulkString(Array(attempt.utf8)))
        }
        return JobEvent(position: id, jobID: try required("job"), state: try required("state"), attempt: Int(attempt))
    }
}
