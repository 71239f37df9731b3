import Broker
import Emulators
import Foundation
import HTTPTypes
import TestSupport
import Testing
import Tracing
import Workers

/// Traces from the submit to the backend: a render and a batch line, their spans collected by
/// the in-process `RecordingTracer` (installed for the whole test process at first use).
@Suite("Traces of jobs", .serialized)
struct TraceTreeTests {
    /// The spans of `trace` once every name in `names` has ended.
    static func spans(
        _ tracer: RecordingTracer, trace: String, until names: [String]
    ) async throws -> [RecordingTracer.Finished] {
        do {
            try await eventually("spans \(names) ended", limit: .seconds(20)) {
                let ended = Set(tracer.spans(trace: trace).map(\.name))
                return names.allSatisfy(ended.contains)
            }
        } catch {
            Issue.record("spans of the trace so far: \(tracer.spans(trace: trace).map(\.name))")
            throw error
        }
        return tracer.spans(trace: trace)
    }

    @Test("a render: the job's span continues the submitter's, with the claim, each ComfyUI call and the ack inside")
    func render() async throws {
        let tracer = RecordingTracer.installed
        let client = tracer.newTraceParent()
        let rig = try await MediaTestRig()
        defer { Task { await rig.tearDown() } }
        try await MediaWorkerEndToEndTests().withEmulators(rig, gpus: 1, renderSeconds: 0.1) { _, urls in
            let worker = DrainableWorker(rig.worker(gpu: 0, baseURL: urls[0]), logger: rig.logger)
            try await withServices([{ try await worker.run() }]) {
                let id = try await rig.submit(MediaTestRig.picture(width: 16, height: 16), traceParent: client.traceParent)
                #expect(try await rig.waitForState(id, [.succeeded, .failed, .dead]).state == .succeeded)
                _ = try await Self.spans(tracer, trace: client.traceID, until: ["job dream_weaver.render", "ack"])
                // On a loaded machine an attempt may fail and the job run again: the tree checked is
                // that of the attempt that succeeded (every attempt hangs from the client's span).
                try await eventually("the succeeding attempt's span ended", limit: .seconds(20)) {
                    tracer.spans(trace: client.traceID).contains { $0.name == "job dream_weaver.render" && !$0.failed }
                }
                let spans = tracer.spans(trace: client.traceID)
                let attempts = spans.filter { $0.name == "job dream_weaver.render" }
                #expect(attempts.allSatisfy { $0.parentSpanID == client.spanID && $0.kind == .consumer })
                #expect(attempts.allSatisfy { $0.attributes["job.id"] == id })
                let job = try #require(attempts.first { !$0.failed })
                let children = spans.filter { $0.parentSpanID == job.spanID }.map(\.name)
                for name in ["claim", "comfyui POST /upload/image", "comfyui POST /prompt", "comfyui GET /view", "ack"] {
                    #expect(children.contains(name), "\(name) in \(children)")
                }
                // Every span of the trace hangs from the client's: one tree, no orphan.
                let known = Set(spans.map(\.spanID) + [client.spanID])
                #expect(spans.allSatisfy { $0.parentSpanID.map(known.contains) == true }, "\(spans)")
                let upload = try #require(spans.first { $0.name == "comfyui POST /upload/image" })
                #expect(upload.kind == .client)
                #expect(upload.attributes["http.response.status_code"] == "200")
            }
        }
    }

    @Test("a batch line: the gateway's span of the batch submit → the line's job → its LLM request and ack")
    func batchLine() async throws {
        let tracer = RecordingTracer.installed
        let client = tracer.newTraceParent()
        let emulator = OpenAIEmulatorConfiguration(model: "served", slots: 4, tokensPerSecond: 2_000, prefillMilliseconds: 1)
        try await LLMGatewayFixture.run(emulator: emulator, window: .init(ceiling: 4, initial: 2)) { fixture, http in
            let id = try await fixture.createBatch(
                prompts: [("line-1", "say one")], client: http,
                headers: [HTTPField.Name("traceparent")!: client.traceParent])
            try await eventually("the batch completes", limit: .seconds(60)) {
                try await fixture.batch(id, client: http)["status"] as? String == "completed"
            }
            let spans = try await Self.spans(tracer, trace: client.traceID, until: ["job llm.batch", "ack"])
            let submit = try #require(spans.first { $0.parentSpanID == client.spanID && $0.kind == .server })
            #expect(submit.name.contains("/v1/batches"))
            let job = try #require(spans.first { $0.name == "job llm.batch" })
            #expect(job.parentSpanID == submit.spanID)
            let children = spans.filter { $0.parentSpanID == job.spanID }.map(\.name)
            for name in ["claim", "llm POST /v1/chat/completions", "ack"] {
                #expect(children.contains(name), "\(name) in \(children)")
            }
            let request = try #require(spans.first { $0.name == "llm POST /v1/chat/completions" })
            #expect(request.attributes["http.response.status_code"] == "200")
        }
    }
}
