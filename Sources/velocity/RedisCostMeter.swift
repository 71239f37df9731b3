import Broker
import RedisClient

/// What a bench phase cost the Redis server, per job: its process CPU (`INFO cpu`) and the
/// time its commands ran (`INFO commandstats`), read after a `CONFIG RESETSTAT` at the start.
///
/// Script calls count the commands they make inside their own time, so `scriptMicroseconds`
/// (EVALSHA and FCALL) is what the broker's Lua costs; the per-command rows show where it goes.
struct RedisCostMeter {
    /// One command's calls and time, per job.
    struct Command: Sendable {
        var name: String
        var callsPerJob: Double
        var microsecondsPerJob: Double
    }

    /// A phase's cost per job.
    struct Cost: Sendable {
        var cpuMicroseconds: Double
        var scriptMicroseconds: Double
        var commands: [Command]
    }

    let broker: RedisBroker
    private var cpuAtStart = 0.0

    init(broker: RedisBroker) { self.broker = broker }

    /// Zeroes the command statistics and notes the server's CPU time.
    mutating func start() async throws {
        _ = try await broker.send(RedisCommand("CONFIG", ["RESETSTAT"]))
        cpuAtStart = try await cpuSeconds()
    }

    /// The cost since `start()`, divided over `jobs`.
    func stop(jobs: Int) async throws -> Cost {
        let cpu = try await cpuSeconds() - cpuAtStart
        let stats = try await broker.info("commandstats")
        var commands: [Command] = []
        for (key, value) in stats where key.hasPrefix("cmdstat_") {
            let fields = Self.fields(value)
            guard let calls = fields["calls"].flatMap(Double.init), let usec = fields["usec"].flatMap(Double.init)
            else { continue }
            commands.append(
                Command(
                    name: String(key.dropFirst("cmdstat_".count)), callsPerJob: calls / Double(jobs),
                    microsecondsPerJob: usec / Double(jobs)))
        }
        commands.sort { $0.microsecondsPerJob > $1.microsecondsPerJob }
        let script = commands.filter { $0.name == "evalsha" || $0.name == "fcall" || $0.name == "eval" }
            .reduce(0) { $0 + $1.microsecondsPerJob }
        return Cost(cpuMicroseconds: cpu * 1e6 / Double(jobs), scriptMicroseconds: script, commands: commands)
    }

    private func cpuSeconds() async throws -> Double {
        let cpu = try await broker.info("cpu")
        return (Double(cpu["used_cpu_user"] ?? "") ?? 0) + (Double(cpu["used_cpu_sys"] ?? "") ?? 0)
    }

    /// `calls=3,usec=12,…` as a dictionary.
    private static func fields(_ value: String) -> [String: String] {
        var fields: [String: String] = [:]
        for part in value.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2 { fields[String(pair[0])] = String(pair[1]) }
        }
        return fields
    }
}
