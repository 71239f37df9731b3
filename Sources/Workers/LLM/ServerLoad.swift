/// The server's own view of its load, read from its Prometheus `/metrics` page.
public struct ServerLoad: Sendable, Equatable {
    /// Requests being decoded (`sglang:num_running_reqs`, `vllm:num_requests_running`,
    /// `llamacpp:requests_processing`).
    public var running: Int
    /// Requests waiting for a decode slot (`sglang:num_queue_reqs`, `vllm:num_requests_waiting`,
    /// `llamacpp:requests_deferred`).
    public var queued: Int
    /// Which server's names it came from.
    public var source: Source

    public enum Source: String, Sendable {
        case sglang, vllm, llamacpp
    }

    public init(running: Int, queued: Int, source: Source) {
        self.running = running
        self.queued = queued
        self.source = source
    }

    /// Reads the running and queued gauges from Prometheus text; nil when the page has none of
    /// SGLang's, vLLM's or llama.cpp's (whose `--metrics` page has no labels: one slot pool per
    /// server; `requests_deferred` counts the tasks waiting for a free slot). Series are summed over data-parallel replicas (`dp_rank`,
    /// vLLM's `engine`) but not over tensor or pipeline ranks (`tp_rank`, `pp_rank`), which
    /// report the same scheduler more than once.
    public static func parse(_ text: String) -> ServerLoad? {
        var sums: [String: [String: Double]] = [:]
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            guard let first = line.first, first != "#" else { continue }
            guard let sample = PrometheusSample(line) else { continue }
            guard Self.names.contains(sample.name) else { continue }
            // A count of requests: NaN, ±Inf (valid Prometheus text), a negative or an absurd
            // reading says nothing about the load (and would not convert to an Int).
            guard sample.value.isFinite, (0...1e9).contains(sample.value) else { continue }
            let replica = sample.labels.filter { $0.key != "tp_rank" && $0.key != "pp_rank" }
                .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            sums[sample.name, default: [:]][replica] = max(sums[sample.name]?[replica] ?? 0, sample.value)
        }
        func total(_ name: String) -> Int? {
            sums[name].map { Int($0.values.reduce(0, +).rounded()) }
        }
        if let running = total("sglang:num_running_reqs"), let queued = total("sglang:num_queue_reqs") {
            return ServerLoad(running: running, queued: queued, source: .sglang)
        }
        if let running = total("vllm:num_requests_running"), let queued = total("vllm:num_requests_waiting") {
            return ServerLoad(running: running, queued: queued, source: .vllm)
        }
        if let running = total("llamacpp:requests_processing"), let queued = total("llamacpp:requests_deferred") {
            return ServerLoad(running: running, queued: queued, source: .llamacpp)
        }
        return nil
    }

    static let names: Set<String> = [
        "sglang:num_running_reqs", "sglang:num_queue_reqs", "vllm:num_requests_running", "vllm:num_requests_waiting",
        "llamacpp:requests_processing", "llamacpp:requests_deferred",
    ]
}

/// One sample line of the Prometheus text format: `name{label="value",…} value [timestamp]`.
struct PrometheusSample: Equatable {
    var name: String
    var labels: [String: String]
    var value: Double

    init?(_ line: Substring) {
        var rest = line[...]
        guard let nameEnd = rest.firstIndex(where: { $0 == "{" || $0 == " " || $0 == "\t" }) else { return nil }
        name = String(rest[..<nameEnd])
        rest = rest[nameEnd...]
        labels = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while let first = rest.first, first != "}" {
                if first == "," || first == " " {
                    rest = rest.dropFirst()
                    continue
                }
                guard let equals = rest.firstIndex(of: "=") else { return nil }
                let key = String(rest[..<equals]).trimmingSpaces
                rest = rest[rest.index(after: equals)...]
                guard rest.first == "\"" else { return nil }
                rest = rest.dropFirst()
                var value = ""
                var escaped = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if escaped {
                        value.append(character == "n" ? "\n" : character)
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == "\"" {
                        break
                    } else {
                        value.append(character)
                    }
                }
                labels[key] = value
            }
            guard rest.first == "}" else { return nil }
            rest = rest.dropFirst()
        }
        let fields = rest.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let text = fields.first else { return nil }
        switch text {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default:
            guard let number = Double(text) else { return nil }
            value = number
        }
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
