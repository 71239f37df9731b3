import Broker
import CurlClient
import Emulators
import Foundation
import Logging
import Producer
import ServiceLifecycle
import Synchronization
import Testing
import TestSupport
@testable import Workers

/// Records what a dispatcher reports.
final class LLMRecorder: Sendable {
    private let state = Mutex<(activity: [WorkerActivity], events: [LLMDispatcherEvent])>(([], []))
    var activity: [WorkerActivity] { state.withLock { $0.activity } }
    var events: [LLMDispatcherEvent] { state.withLock { $0.events } }
    var sink: WorkerActivitySink { { activity in self.state.withLock { $0.activity.append(activity) } } }
    var observer: @Sendable (LLMDispatcherEvent) -> Void { { event in self.state.withLock { $0.events.append(event) } } }
}

@Suite("LLM dispatcher")
struct LLMDispatcherTests {
    static func chat(_ text: String, maxTokens: Int = 4, model: String? = nil) -> String {
        let name = model.map { #""model":"\#($0)","# } ?? ""
        return #"{\#(name)"messages":[{"role":"user","content":"\#(text)"}],"max_tokens":\#(maxTokens)}"#
    }

    static func content(_ text: String, _ count: Int) -> String {
        EmulatedText.content(prompt: EmulatedText.promptText(messages: [("user", text)]), count: count)
    }

    static func configuration(_ base: String, window: AIMDWindow.Configuration = .init(ceiling: 32, initial: 2)) -> LLMDispatcher.Configuration {
        LLMDispatcher.Configuration(
            workerID: "llm-test", serverURL: base, model: .override("m"), window: window,
            metricsInterval: .milliseconds(50), retry: RequestRetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20), maxDelay: .milliseconds(50)),
            claimWait: .milliseconds(200),
            probeBackoff: RequestRetryPolicy(maxAttempts: .max, baseDelay: .milliseconds(50), maxDelay: .milliseconds(200)))
    }

    /// A broker of its own, an emulator, and a dispatcher between them, for `body`.
    static func withDispatcher(
        emulator emulatorConfiguration: OpenAIEmulatorConfiguration = .init(model: "m", slots: 4, tokensPerSecond: 2_000, prefillMilliseconds: 1),
        configure: @Sendable (inout LLMDispatcher.Configuration) -> Void = { _ in },
        _ body: @Sendable (TestBroker, JobProducer, OpenAIEmulator, String, LLMRecorder) async throws -> Void
    ) async throws {
        let test = try await TestBroker.make()
        do {
            try await OpenAIEmulator.withRunning(emulatorConfiguration) { emulator, base in
                let recorder = LLMRecorder()
                var configuration = Self.configuration(base)
                configure(&configuration)
                let dispatcher = LLMDispatcher(
                    configuration: configuration, broker: test.broker, logger: Logger(label: "test.llm"),
                    activity: recorder.sink, observer: recorder.observer)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await dispatcher.run() }
                    defer { group.cancelAll() }
                    try await body(test, JobProducer(broker: test.broker, store: nil), emulator, base, recorder)
                }
            }
        } catch {
            await test.tearDown()
            throw error
        }
        await test.tearDown()
    }

    static func waitFor(_ broker: RedisBroker, _ ids: [String], in states: Set<JobState>) async throws -> [JobSnapshot] {
        var snapshots: [JobSnapshot] = []
        try await eventually("\(ids.count) jobs reach \(states.map(\.rawValue).sorted())", limit: .seconds(60)) {
            snapshots = []
            for id in ids {
                guard let snapshot = try await broker.job(queue: "llm", id: id), states.contains(snapshot.state) else {
                    return false
                }
                snapshots.append(snapshot)
            }
            return true
        }
        return snapshots
    }

    @Test("chat and batch jobs complete with the server's chat.completion; the window runs on SGLang metrics")
    func completes() async throws {
        try await Self.withDispatcher { test, producer, _, _, recorder in
            var requests = (0..<20).map { JobRequest(kind: "llm.chat", payload: Self.chat("chat \($0)", model: "other")) }
            requests += (0..<20).map { n in
                JobRequest(
                    kind: "llm.batch",
                    payload: #"{"batch_id":"b1","custom_id":"c\#(n)","method":"POST","url":"/v1/chat/completions","body":\#(Self.chat("line \(n)"))}"#)
            }
            let receipts = try await producer.submit(requests)
            let done = try await Self.waitFor(test.broker, receipts.map(\.id), in: [.succeeded])
            for (index, snapshot) in done.enumerated() {
                let result = try #require(snapshot.result)
                let completion = try JSONDecoder().decode(ChatCompletion.self, from: Data(result.utf8))
                #expect(completion.object == "chat.completion")
                #expect(completion.model == "m")  // the override policy
                let text = index < 20 ? "chat \(index)" : "line \(index - 20)"
                #expect(completion.choices.first?.message.content == Self.content(text, 4))
            }
            #expect(recorder.events.contains(.mode(metrics: true)))
            let started = recorder.activity.filter { if case .jobStarted = $0 { true } else { false } }
            #expect(started.count == 40)
            #expect(recorder.activity.contains(.jobFinished(jobID: receipts[0].id, outcome: .succeeded)))
        }
    }

    @Test("bad requests fail without retry, with the server's message; an unknown kind fails clearly")
    func failures() async throws {
        let emulator = OpenAIEmulatorConfiguration(model: "m", slots: 4, tokensPerSecond: 2_000, contextLength: 200)
        try await Self.withDispatcher(emulator: emulator) { test, producer, _, _, _ in
            let tooLong = try await producer.submit(JobRequest(kind: "llm.chat", payload: Self.chat("x", maxTokens: 5_000)))
            let noMessages = try await producer.submit(JobRequest(kind: "llm.chat", payload: #"{"max_tokens":3}"#))
            let wrongURL = try await producer.submit(
                JobRequest(kind: "llm.batch", payload: #"{"custom_id":"a","method":"POST","url":"/v1/embeddings","body":{}}"#))
            // A valid packet, but this dispatcher has no QD store to route qd.score to.
            let other = try await producer.submit(
                JobRequest(
                    kind: "qd.score",
                    payload: #"{"person_id":"p","lead_id":"l","session_id":"s","consent":true,"signals":[{"t_ms":0,"name":"smile","value":0.5}]}"#))
            let failed = try await Self.waitFor(test.broker, [tooLong.id, noMessages.id, wrongURL.id, other.id], in: [.failed])
            #expect(failed[0].errorCode == "invalid_request")
            #expect(failed[0].errorMessage?.hasPrefix("Requested token count exceeds the model's maximum context length") == true)
            #expect(failed[0].attempts == 1)
            #expect(failed[1].errorCode == "invalid_request")
            #expect(failed[1].errorMessage == "messages: must be a non-empty array")
            #expect(failed[2].errorMessage == "url: only /v1/chat/completions is served, got '/v1/embeddings'")
            #expect(failed[3].errorCode == "unsupported_kind")
            #expect(failed.allSatisfy { $0.errorRetriable == false })
        }
    }

    @Test("429s are retried inside the attempt: the job succeeds on its first attempt")
    func overloadRetried() async throws {
        try await Self.withDispatcher { test, producer, _, base, recorder in
            let fault = try await Self.post(base, "/emulator/faults", #"{"status":429,"count":2,"retry_after":0}"#)
            #expect(fault == 200)
            let receipt = try await producer.submit(JobRequest(kind: "llm.chat", payload: Self.chat("busy")))
            let done = try await Self.waitFor(test.broker, [receipt.id], in: [.succeeded])
            #expect(done[0].attempts == 1)
            #expect(recorder.activity.contains(.jobFinished(jobID: receipt.id, outcome: .succeeded)))
        }
    }

    @Test("a canceled job's request is aborted and the job ends canceled")
    func cancel() async throws {
        let slow = OpenAIEmulatorConfiguration(model: "m", slots: 2, tokensPerSecond: 2, prefillMilliseconds: 0)
        try await Self.withDispatcher(emulator: slow) { test, producer, _, base, _ in
            // A short lease: heartbeats, which carry the cancel, come every second.
            let receipt = try await producer.submit(
                JobRequest(
                    kind: "llm.chat", payload: Self.chat("long", maxTokens: 600),
                    timeouts: .init(heartbeatMilliseconds: 3_000)))
            try await eventually("the request is at the server") { try await Self.running(base) == 1 }
            #expect(try await test.broker.cancel(queue: "llm", jobID: receipt.id) == .requested)
            let canceled = try await Self.waitFor(test.broker, [receipt.id], in: [.canceled])
            #expect(canceled[0].errorCode == "canceled")
        }
    }

    @Test("a server that stops answering: jobs are given back unspent, claiming pauses, and resumes when /health answers")
    func serverDown() async throws {
        try await Self.withDispatcher { test, producer, _, base, recorder in
            #expect(try await Self.post(base, "/emulator/faults", #"{"drop":true,"count":1000}"#) == 200)
            let receipt = try await producer.submit(JobRequest(kind: "llm.chat", payload: Self.chat("later"), maxAttempts: 1))
            try await eventually("the dispatcher reports the server down") {
                recorder.activity.contains { if case .backendUnresponsive = $0 { true } else { false } }
            }
            try await eventually("the job is back in the queue, its attempt unspent") {
                let snapshot = try await test.broker.job(queue: "llm", id: receipt.id)
                return snapshot?.state == .queued
            }
            // The runtime reports the release after the broker has it: wait for the report too.
            try await eventually("the release is reported") {
                recorder.activity.contains(.jobFinished(jobID: receipt.id, outcome: .released))
            }
            let deleted = try await Self.request("DELETE", base, "/emulator/faults", "")
            #expect(deleted == 204)
            // maxAttempts 1: only an unspent release lets it run again and succeed.
            let done = try await Self.waitFor(test.broker, [receipt.id], in: [.succeeded])
            #expect(done[0].result?.contains("chat.completion") == true)
            #expect(recorder.events.contains(.serverUp))
        }
    }

    @Test("graceful shutdown while the server is down returns, the job back in the queue")
    func shutdownWhileDown() async throws {
        let test = try await TestBroker.make()
        do {
            try await OpenAIEmulator.withRunning(.init(model: "m")) { _, base in
                #expect(try await Self.post(base, "/emulator/faults", #"{"drop":true,"count":1000}"#) == 200)
                let recorder = LLMRecorder()
                let dispatcher = LLMDispatcher(
                    configuration: Self.configuration(base), broker: test.broker, logger: Logger(label: "test"),
                    activity: recorder.sink)
                let group = ServiceGroup(services: [dispatcher], logger: Logger(label: "test"))
                let receipt = try await JobProducer(broker: test.broker, store: nil).submit(
                    JobRequest(kind: "llm.chat", payload: Self.chat("down")))
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await group.run() }
                    try await eventually("the server is reported down") {
                        recorder.activity.contains { if case .backendUnresponsive = $0 { true } else { false } }
                    }
                    await group.triggerGracefulShutdown()
                    // A safety bound against a hang, not a timing assertion.
                    tasks.addTask {
                        try await Task.sleep(for: .seconds(60))
                        throw CancellationError()  // the dispatcher did not stop
                    }
                    try await tasks.next()
                    tasks.cancelAll()
                }
                #expect(try await test.broker.job(queue: "llm", id: receipt.id)?.state == .queued)
            }
        } catch {
            await test.tearDown()
            throw error
        }
        await test.tearDown()
    }

    @Test("without metrics the window runs on latency")
    func latencyMode() async throws {
        try await Self.withDispatcher(configure: { $0.useMetrics = false }) { test, producer, _, _, recorder in
            let receipts = try await producer.submit((0..<10).map { JobRequest(kind: "llm.chat", payload: Self.chat("q\($0)")) })
            _ = try await Self.waitFor(test.broker, receipts.map(\.id), in: [.succeeded])
            #expect(recorder.events.contains(.mode(metrics: false)))
            #expect(!recorder.events.contains(.mode(metrics: true)))
        }
    }

    @Test("graceful shutdown lets running requests finish; cancellation gives them back unspent")
    func shutdown() async throws {
        let slow = OpenAIEmulatorConfiguration(model: "m", slots: 4, tokensPerSecond: 40, prefillMilliseconds: 0)
        let test = try await TestBroker.make()
        do {
            try await Self.shutdownScenario(test, slow)
        } catch {
            await test.tearDown()
            throw error
        }
        await test.tearDown()
    }

    static func shutdownScenario(_ test: TestBroker, _ slow: OpenAIEmulatorConfiguration) async throws {
        try await OpenAIEmulator.withRunning(slow) { _, base in
            let producer = JobProducer(broker: test.broker, store: nil)
            // Graceful: the two running requests (5 s each: long enough to be seen running on a
            // loaded machine) finish and are acknowledged.
            let graceful = try await producer.submit((0..<2).map { JobRequest(kind: "llm.chat", payload: Self.chat("g\($0)", maxTokens: 200)) })
            let dispatcher = LLMDispatcher(
                configuration: Self.configuration(base, window: .fixed(2)), broker: test.broker, logger: Logger(label: "test"))
            let group = ServiceGroup(services: [dispatcher], logger: Logger(label: "test"))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await eventually("both requests are at the server") { try await Self.running(base) == 2 }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            let finished = try await Self.waitFor(test.broker, graceful.map(\.id), in: [.succeeded])
            #expect(finished.count == 2)

            // Cancelled: the running requests are aborted and their jobs requeued unspent.
            let cancelled = try await producer.submit((0..<2).map { JobRequest(kind: "llm.chat", payload: Self.chat("c\($0)", maxTokens: 400)) })
            let second = LLMDispatcher(
                configuration: Self.configuration(base, window: .fixed(2)), broker: test.broker, logger: Logger(label: "test"))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await second.run() }
                try await eventually("both requests are at the server") { try await Self.running(base) == 2 }
                tasks.cancelAll()
                try? await tasks.waitForAll()
            }
            let requeued = try await Self.waitFor(test.broker, cancelled.map(\.id), in: [.queued])
            #expect(requeued.allSatisfy { $0.errorCode == "worker_stopped" || $0.errorCode == nil })
        }
    }

    static func running(_ base: String) async throws -> Int {
        let text = try await CurlHTTPClient.withClient { try await $0.execute(.init(url: base + "/metrics")).text }
        return ServerLoad.parse(text)?.running ?? -1
    }

    static func post(_ base: String, _ path: String, _ body: String) async throws -> Int {
        try await request("POST", base, path, body)
    }

    static func request(_ method: String, _ base: String, _ path: String, _ body: String) async throws -> Int {
        try await CurlHTTPClient.withClient {
            try await $0.execute(.bytes(method, base + path, Array(body.utf8), contentType: "application/json")).status
        }
    }
}
