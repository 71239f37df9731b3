import Broker
import CurlClient
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JobTracing
import Logging
import NIOCore
import TestSupport
import Testing
import Tracing

/// Traces at the gateway: a submit continues the caller's `traceparent`, the job keeps its
/// span's; logs name the trace; `velocity gateway` exports spans over OTLP when told where.
@Suite("Tracing at the gateway", .serialized)
struct TracingTests {
    @Test("a submit's server span continues the caller's traceparent, and the job stores the server span's")
    func submitContinuesTheCaller() async throws {
        let tracer = RecordingTracer.installed
        let caller = tracer.newTraceParent()
        try await GatewayFixture.withGateway { fixture, client in
            let accepted = try await client.execute(
                uri: "/v1/jobs", method: .post,
                headers: GatewayFixture.json(fixture.acme, [HTTPField.Name("traceparent")!: caller.traceParent]),
                body: JobsAPITests.submitBody())
            #expect(accepted.status == .accepted)
            let id = try #require(accepted.body.json["id"] as? String)
            try await eventually("the server span ended") { tracer.spans(trace: caller.traceID).contains { $0.kind == .server } }
            let server = try #require(tracer.spans(trace: caller.traceID).first { $0.kind == .server })
            #expect(server.parentSpanID == caller.spanID)
            #expect(server.name == "/v1/jobs")
            let record = try await fixture.gateway.records.job(id: id)
            #expect(record?.submission.traceParent == "00-\(caller.traceID)-\(server.spanID)-01")

            // Without a traceparent the server span starts a trace, and the job is in it.
            let fresh = try await client.execute(
                uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme), body: JobsAPITests.submitBody())
            let freshID = try #require(fresh.body.json["id"] as? String)
            let freshTrace = try #require(try await fixture.gateway.records.job(id: freshID)?.submission.traceParent)
            #expect(JobTrace.ids(of: freshTrace)?.traceID != Substring(caller.traceID))
        }
    }

    @Test("log lines inside a span carry its trace and span ids; outside one, none")
    func logMetadata() async throws {
        let tracer = RecordingTracer.installed
        let trace = tracer.newTraceParent()
        #expect(Logger.MetadataProvider.traceIDs.get().isEmpty)
        let inside = InstrumentationSystem.tracer.withSpan("work", context: JobTrace.context(traceParent: trace.traceParent)) {
            span in (Logger.MetadataProvider.traceIDs.get(), JobTrace.traceParent(of: span.context))
        }
        #expect(inside.0["trace_id"] == .string(trace.traceID))
        let spanID = try #require(inside.1.flatMap { JobTrace.ids(of: $0) }?.spanID)
        #expect(inside.0["span_id"] == .string(String(spanID)))
        #expect(
            JobTrace.callName("comfyui", method: "GET", url: "http://h:1/history/01a249df-a8b2-7000-aff3-128ede5d3d0c?x=1")
                == "comfyui GET /history/{id}")
        #expect(
            JobTrace.callName("llm", method: "POST", url: "http://h:1/v1/chat/completions") == "llm POST /v1/chat/completions")
    }

    @Test("velocity gateway with an OTLP endpoint exports the submit's span, in the caller's trace, to the collector")
    func otlpExport() async throws {
        let fixture = try await GatewayFixture.make()
        // An OTLP/HTTP collector answers a JSON export with a JSON ExportTraceServiceResponse.
        let collector = WebhookReceiver(otherwise: .init(status: .ok, json: "{}"))
        do {
            try await collector.run { url in
                let port = try FreePort.find()
                let configuration = fixture.gateway.configuration
                let process = Process()
                process.executableURL = URL(fileURLWithPath: try VelocityBinary.path())
                process.arguments = [
                    "gateway", "--port", String(port), "--redis-url", configuration.redisURL, "--postgres-url",
                    configuration.postgresURL,
                ]
                process.environment = ProcessInfo.processInfo.environment.merging([
                    "VELOCITY_POSTGRES_SCHEMA": fixture.schema, "VELOCITY_NAMESPACE": configuration.namespace,
                    "VELOCITY_BLOB_DIRECTORY": fixture.blobRoot.path, "VELOCITY_SCHEDULER": "false",
                    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": url, "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
                    "OTEL_BSP_SCHEDULE_DELAY": "100", "OTEL_SERVICE_NAME": "gateway-under-test",
                ]) { $1 }
                process.standardOutput = FileHandle.nullDevice
                let log = fixture.blobRoot.appendingPathComponent("gateway.log")
                try? FileManager.default.createDirectory(at: fixture.blobRoot, withIntermediateDirectories: true)
                _ = FileManager.default.createFile(atPath: log.path, contents: nil)
                process.standardError = try FileHandle(forWritingTo: log)
                defer {
                    let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                    #expect(!text.contains("Failed to export"), "\(text.suffix(2_000))")
                }
                try process.run()
                defer { if process.isRunning { process.terminate() } }
                let traceID = RecordingTracer.randomHex(bytes: 16)
                // swift-otel's JSON writes ids as protobuf's JSON mapping does: base64 of the bytes.
                let traceBytes = stride(from: 0, to: 32, by: 2).map { offset in
                    UInt8(traceID.dropFirst(offset).prefix(2), radix: 16)!
                }
                let encodedTrace = Data(traceBytes).base64EncodedString()
                try await CurlHTTPClient.withClient { http in
                    try await eventually("the gateway answers") {
                        (try? await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/health")))?.isSuccess == true
                    }
                    let submit = HTTPClientRequest.bytes(
                        "POST", "http://127.0.0.1:\(port)/v1/jobs", Array(JobsAPITests.submitBody().readableBytesView),
                        contentType: "application/json",
                        headers: ["Authorization": "Bearer \(fixture.acme)", "traceparent": "00-\(traceID)-00f067aa0ba902b7-01"])
                    let answer = try await http.execute(submit)
                    #expect(answer.status == 202, "\(answer.text)")
                }
                do {
                    try await eventually("the collector received the span", limit: .seconds(15)) {
                        collector.received.contains { String(decoding: $0.body, as: UTF8.self).contains(encodedTrace) }
                    }
                } catch {
                    let bodies = collector.received.map { String(decoding: $0.body.prefix(400), as: UTF8.self) }
                    Issue.record("trace \(encodedTrace); the collector received \(bodies.count): \(bodies)")
                    throw error
                }
                let export = try #require(
                    collector.received.first { String(decoding: $0.body, as: UTF8.self).contains(encodedTrace) })
                let text = String(decoding: export.body, as: UTF8.self)
                #expect(text.contains("/v1/jobs"))
                #expect(text.contains("gateway-under-test"))
                #expect(export.headers["content-type"]?.contains("json") == true)
            }
        } catch {
            await fixture.tearDown()
            throw error
        }
        await fixture.tearDown()
    }
}
