import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// Runs the built `velocity` executable against `FakeGateway`, checking what the `submit` and
/// `jobs` commands send and print. Its output is not a terminal, so no progress bar is drawn.
@Suite("velocity submit / jobs over HTTP")
struct VelocityCommandLineTests {
    /// The `velocity` executable built next to this test bundle (by `swift build --build-tests`),
    /// else the package's `.build/debug/velocity`.
    static var executable: URL {
        var candidates: [URL] = []
        if let runner = Bundle.main.executableURL {
            candidates.append(runner.deletingLastPathComponent().appendingPathComponent("velocity"))
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/velocity"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates.last!
    }

    static func withGateway(_ body: @Sendable (String) async throws -> Void) async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: executable.path), "build the velocity product first")
        let app = Application(router: FakeGateway.router())
        try await app.test(.live) { client in try await body("http://localhost:\(client.port!)") }
    }

    static func velocity(_ arguments: [String], gateway: String, in directory: URL? = nil) async throws
        -> VelocityBinary.Outcome
    {
        try await VelocityBinary.run(
            arguments, environment: ["VELOCITY_GATEWAY_URL": gateway, "VELOCITY_API_KEY": FakeGateway.apiKey],
            executable: executable, in: directory)
    }

    @Test("submit job sends the JSON body and Idempotency-Key; --wait follows the events and prints the result")
    func submitJob() async throws {
        try await Self.withGateway { gateway in
            let args = [
                "submit", "job", "--kind", "llm.chat", "--payload", #"{"prompt":"hi"}"#, "--priority", "5",
                "--run-timeout-ms", "9000",
            ]
            let plain = try await Self.velocity(args, gateway: gateway)
            #expect(plain.status == 0, "\(plain.stderr)")
            #expect(plain.stdout == "job-1 queued\n")
            let repeated = try await Self.velocity(args + ["--idempotency-key", "again"], gateway: gateway)
            #expect(repeated.stdout.contains("existing job"))
            let json = try await Self.velocity(args + ["--json"], gateway: gateway)
            #expect(json.stdout.hasPrefix(#"{"id":"job-1""#))

            let waited = try await Self.velocity(args + ["--wait"], gateway: gateway)
            #expect(waited.status == 0, "\(waited.stderr)")
            #expect(
                waited.stderr.contains(
                    "job job-1 waiting: no media capacity, box dev-box in llm mode — `velocity mode split` or `velocity mode media` gives it some"),
                "\(waited.stderr)")
            #expect(waited.stdout.contains(#""answer" : 42"#))
            let waitedJSON = try await Self.velocity(args + ["--wait", "--json"], gateway: gateway)
            #expect(waitedJSON.stdout.contains(#""result":{"answer":42}"#))
        }
    }

    @Test("a gateway error prints `error: <code>: <message>` and exits non-zero; a bad payload never leaves")
    func errors() async throws {
        try await Self.withGateway { gateway in
            let refused = try await Self.velocity(["submit", "job", "--kind", "nope"], gateway: gateway)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("error: invalid_field: kind: unknown"))
            #expect(refused.stdout.isEmpty)
            let badPayload = try await Self.velocity(["submit", "job", "--kind", "x", "--payload", "[1]"], gateway: gateway)
            #expect(badPayload.status != 0)
            #expect(badPayload.stderr.contains("JSON object"))
            let unreachable = try await Self.velocity(["jobs", "get", "x"], gateway: "http://127.0.0.1:1")
            #expect(unreachable.status != 0)
            #expect(unreachable.stderr.contains("error: connection_refused"))
        }
    }

    @Test("jobs watch prints each state change as a line; get, cancel, list and result")
    func jobs() async throws {
        try await Self.withGateway { gateway in
            let watch = try await Self.velocity(["jobs", "watch", "job-9"], gateway: gateway)
            #expect(watch.status == 0, "\(watch.stderr)")
            let lines = watch.stdout.split(separator: "\n")
            #expect(lines.count == 3)
            #expect(lines.first?.hasSuffix("job-9 queued 2 ahead") == true)
            #expect(lines.dropFirst().first?.hasSuffix("job-9 processing 50% step 10/20") == true)
            #expect(lines.last?.hasSuffix("job-9 succeeded") == true)

            let cancel = try await Self.velocity(["jobs", "cancel", "job-9"], gateway: gateway)
            #expect(cancel.stdout == "job-9 canceled (status canceled)\n")
            let get = try await Self.velocity(["jobs", "get", "job-9", "--json"], gateway: gateway)
            #expect(get.stdout.hasPrefix(#"{"id":"job-9""#))
            let list = try await Self.velocity(
                ["jobs", "list", "--state", "queued", "--kind", "llm.chat", "--limit", "2"], gateway: gateway)
            #expect(list.status == 0, "\(list.stderr)")
            #expect(list.stdout.contains("a   llm.chat  queued"))
            #expect(list.stdout.contains("more: --cursor c2"))
            let result = try await Self.velocity(["jobs", "result", "job-9", "--json"], gateway: gateway)
            #expect(result.stdout.contains(#""status":"succeeded""#))
        }
    }

    @Test("submit dream-weaver uploads the image with its fields, polls, and saves the PNG")
    func dreamWeaver() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dw-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let image = directory.appendingPathComponent("room.png")
        try Data(FakeGateway.png).write(to: image)
        try await Self.withGateway { gateway in
            let outcome = try await Self.velocity(
                [
                    "submit", "dream-weaver", image.path, "--room", "living_room", "--style", "warm scandinavian",
                    "--seed", "7", "--wait",
                ], gateway: gateway)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let saved = directory.appendingPathComponent("room.staged.png")
            #expect(outcome.stdout == saved.path + "\n")
            #expect(try Data(contentsOf: saved) == Data(FakeGateway.png))
        }
    }

    @Test("submit llm-batch uploads, creates, waits and downloads output and error files; validation errors print")
    func llmBatch() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("batch-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("requests.jsonl")
        try Data(#"{"custom_id":"r1","method":"POST","url":"/v1/chat/completions","body":{}}"#.utf8).write(to: input)
        try await Self.withGateway { gateway in
            let outcome = try await Self.velocity(
                ["submit", "llm-batch", input.path, "--metadata", "team=qa", "--wait"], gateway: gateway)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let output = directory.appendingPathComponent("requests.results.jsonl")
            let errors = directory.appendingPathComponent("requests.errors.jsonl")
            #expect(try String(contentsOf: output, encoding: .utf8) == #"{"custom_id":"file-out"}"# + "\n")
            #expect(try String(contentsOf: errors, encoding: .utf8) == #"{"custom_id":"file-err"}"# + "\n")
            #expect(outcome.stderr.contains("1 completed, 1 failed of 2"))
            // Not a silent wait: the reason, once, with what ends it.
            let hint = "batch batch-1 waiting: no llm capacity, box dev-box in media mode — `velocity mode split` or `velocity mode llm` gives it some"
            #expect(outcome.stderr.components(separatedBy: hint).count == 2, "\(outcome.stderr)")

            let invalid = try await Self.velocity(
                ["submit", "llm-batch", input.path, "--endpoint", "/v1/embeddings"], gateway: gateway)
            #expect(invalid.status != 0)
            #expect(invalid.stderr.contains("error: line 2: invalid_url: url must match endpoint (url)"))
        }
    }
}
