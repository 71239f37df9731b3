import Broker
import Emulators
import Foundation
import Gateway
import HTTPTypes
import HummingbirdTesting
import JobContracts
import JSONSchema
import NIOCore
import Testing
import TestSupport
import VelocityTypes
@testable import Workers

/// `qd.score` and `oracle.synthetic_template` from the gateway through the LLM dispatcher to
/// each emulated server and back: results fit their schemas whatever the model sent, retries
/// are fed back, cancels keep what is done, a server that drops out duplicates nothing.
@Suite("LLM kinds end to end")
struct LLMKindsEndToEndTests {
    typealias Flavor = OpenAIEmulatorConfiguration.Flavor

    static func emulator(
        _ flavor: Flavor = .sglang, broken: BrokenJSONRates = .none, tokensPerSecond: Double = 4_000
    ) -> OpenAIEmulatorConfiguration {
        var configuration = OpenAIEmulatorConfiguration(
            flavor: flavor, model: "m", slots: 16, tokensPerSecond: tokensPerSecond, prefillMilliseconds: 1)
        configuration.brokenJSON = broken
        return configuration
    }

    static let packet = #"""
        {"person_id":"p-42","lead_id":"l-42","session_id":"s-42","consent":true,
         "signals":[{"t_ms":0,"name":"smile_intensity","value":0.8},{"t_ms":300,"name":"eye_widen","value":0.6},
                    {"t_ms":600,"name":"brow_furrow","value":0.1}],
         "scene":{"video_asset_id":"vid-terrace","timestamp_ms":9000}}
        """#

    static let barChart = #"""
        {"type":"object","properties":{
          "title":{"type":"string","minLength":3,"maxLength":60},
          "bars":{"type":"array","minItems":2,"maxItems":8,"items":{"type":"object","properties":{
             "category":{"type":"string","minLength":1},"count":{"type":"integer","minimum":0,"maximum":100000}},
             "required":["category","count"],"additionalProperties":false}}},
         "required":["title","bars"],"additionalProperties":false}
        """#

    func submit(_ fixture: LLMGatewayFixture, _ client: some TestClientProtocol, kind: String, payload: String) async throws
        -> String
    {
        let response = try await client.execute(
            uri: "/v1/jobs", method: .post, headers: fixture.auth + [.contentType: "application/json"],
            body: ByteBuffer(string: #"{"kind":"\#(kind)","payload":\#(payload)}"#))
        #expect(response.status == .accepted)
        return try #require(fixture.json(response.body)["id"] as? String)
    }

    func waitForJob(_ fixture: LLMGatewayFixture, _ id: String, in states: Set<JobState>) async throws -> JobSnapshot {
        try await LLMDispatcherTests.waitFor(fixture.gateway.broker, [id], in: states)[0]
    }

    @Test("a qd.score job returns a bundle citing the packet's readings, stored once and read back as history",
          arguments: Flavor.allCases)
    func qdScore(flavor: Flavor) async throws {
        try await LLMGatewayFixture.run(emulator: Self.emulator(flavor), window: .fixed(8), kinds: true) { fixture, client in
            let id = try await submit(fixture, client, kind: "qd.score", payload: Self.packet)
            let done = try await waitForJob(fixture, id, in: [.succeeded, .failed, .dead])
            try #require(done.state == .succeeded, "\(done.errorCode ?? "") \(done.errorMessage ?? "")")
            let bundle = try JSONDecoder().decode(QDSignalBundle.self, from: Data(try #require(done.result).utf8))
            #expect((1...100).contains(bundle.value))
            #expect((0...1).contains(bundle.confidence))
            #expect(bundle.client_ref == "crm_people/p-42" && bundle.score_type == "qd")
            #expect(!bundle.supporting_evidence_refs.isEmpty)
            #expect(bundle.supporting_evidence_refs.allSatisfy { ["/signals/0", "/signals/1", "/signals/2"].contains($0) })
            #expect(bundle.metadata.provenance["prompt_version"] == "1")
            #expect(bundle.metadata.provenance["job_id"] == .string(id))
            #expect(bundle.scene_ref == "marketing_video/vid-terrace@9000")

            let history = try await client.execute(uri: "/api/crm/qd/p-42", method: .get, headers: fixture.auth)
            let data = try #require(fixture.json(history.body)["data"] as? [[String: Any]])
            #expect(data.map { $0["signal_id"] as? String } == [bundle.signal_id])
        }
    }

    @Test("answers broken in the ways models break them still make valid bundles; what recovery did is recorded",
          arguments: BrokenJSONKind.allCases)
    func brokenAnswers(kind: BrokenJSONKind) async throws {
        // Every first answer broken this way; after feedback the emulator answers cleanly only
        // for kinds that recovery repairs in place, so truncated and violating ones need the retry.
        let rates = BrokenJSONRates(total: 0, overrides: [kind: 0.4])
        try await LLMGatewayFixture.run(emulator: Self.emulator(broken: rates), window: .fixed(8), kinds: true) { fixture, client in
            var ids: [String] = []
            for n in 0..<12 {
                ids.append(try await submit(fixture, client, kind: "qd.score", payload: Self.packet.replacingOccurrences(of: "s-42", with: "s-\(n)")))
            }
            let done = try await LLMDispatcherTests.waitFor(fixture.gateway.broker, ids, in: [.succeeded, .failed, .dead])
            let succeeded = done.filter { $0.state == .succeeded }
            // A job fails only when all three of its answers came back broken (0.4³ ≈ 6%), and
            // then as llm_invalid_output with the last answer kept.
            #expect(done.allSatisfy { $0.state == .succeeded || $0.errorCode == "llm_invalid_output" })
            let bundles = try succeeded.map { try JSONDecoder().decode(QDSignalBundle.self, from: Data(($0.result ?? "").utf8)) }
            let calls = bundles.map { Int($0.metadata.provenance["llm_calls"]?.intValue ?? 0) }
            switch kind {
            case .truncated, .schemaViolation:
                #expect(succeeded.count >= 10, "\(done.map { $0.errorMessage ?? "ok" })")
                #expect(calls.contains { $0 > 1 }, "a broken answer was fed back and answered again")
            case .fenced, .prose, .trailingComma, .singleQuotes:
                #expect(succeeded.count == 12, "\(done.map { $0.errorMessage ?? "ok" })")
                #expect(calls.allSatisfy { $0 == 1 }, "repaired in place, no second call")
                let repairs = bundles.flatMap { $0.metadata.provenance["repairs"]?.arrayValue ?? [] }
                #expect(!repairs.isEmpty)
            }
        }
    }

    @Test("an answer that never fits fails the job with llm_invalid_output, keeping the last raw answer")
    func neverValid() async throws {
        let rates = BrokenJSONRates(total: 0, overrides: [.truncated: 1])
        try await LLMGatewayFixture.run(emulator: Self.emulator(broken: rates), window: .fixed(4), kinds: true) { fixture, client in
            let id = try await submit(fixture, client, kind: "qd.score", payload: Self.packet)
            let failed = try await waitForJob(fixture, id, in: [.failed])
            #expect(failed.errorCode == "llm_invalid_output")
            #expect(failed.errorRetriable == false)
            #expect(failed.errorMessage?.contains("3 answers did not fit the schema 'qd_score'") == true)
            #expect(failed.errorMessage?.contains("last answer: {") == true)
            let rows = try await fixture.gateway.postgres.withConnection { try await $0.query("SELECT count(*) FROM intel_qd_scores") }
            #expect(rows.rows.first?.first == "0", "a failed score stores nothing")
        }
    }

    func createSynthetic(
        _ fixture: LLMGatewayFixture, _ client: some TestClientProtocol, count: Int, template: String = "bar_chart"
    ) async throws -> String {
        let response = try await client.execute(
            uri: "/api/oracle/component-templates/synthetic-jobs", method: .post,
            headers: fixture.auth + [.contentType: "application/json"],
            body: ByteBuffer(string: #"{"template_id":"\#(template)","schema":\#(Self.barChart),"count":\#(count),"temperature":0.8}"#))
        #expect(response.status == .accepted)
        return try #require(fixture.json(response.body)["id"] as? String)
    }

    func syntheticJob(_ fixture: LLMGatewayFixture, _ client: some TestClientProtocol, _ id: String) async throws -> [String: Any] {
        fixture.json(try await client.execute(uri: "/api/admin-surface/synthetic-jobs/\(id)", method: .get, headers: fixture.auth).body)
    }

    /// The examples file: each line's example, checked to fit the schema.
    func examples(_ fixture: LLMGatewayFixture, _ client: some TestClientProtocol, _ id: String) async throws -> [Int: JSONValue] {
        let response = try await client.execute(
            uri: "/api/admin-surface/synthetic-jobs/\(id)/examples", method: .get, headers: fixture.auth)
        let validator = try JSONSchema(try #require(JSONValue(parsing: Self.barChart)))
        var examples: [Int: JSONValue] = [:]
        for line in String(buffer: response.body).split(separator: "\n") {
            let object = try #require(JSONValue(parsing: String(line)))
            let example = try #require(object["example"])
            #expect(validator.validate(example).isEmpty, "\(line)")
            examples[Int(try #require(object["line"]?.intValue))] = example
        }
        return examples
    }

    @Test("a 500-example synthetic job completes: every example valid, none the same, downloadable as JSONL",
          arguments: Flavor.allCases)
    func synthetic(flavor: Flavor) async throws {
        let rates = BrokenJSONRates(total: 0.2)
        try await LLMGatewayFixture.run(emulator: Self.emulator(flavor, broken: rates), window: .fixed(16), claimBatch: 64, kinds: true) {
            fixture, client in
            let id = try await createSynthetic(fixture, client, count: 500)
            var job: [String: Any] = [:]
            try await eventually("the synthetic job completes", limit: .seconds(120)) {
                job = try await syntheticJob(fixture, client, id)
                return job["status"] as? String == "completed"
            }
            let counts = try #require(job["counts"] as? [String: Int])
            #expect(counts["valid"] == 500, "\(counts)")
            #expect(counts["failed"] == 0 && counts["pending"] == 0)
            #expect((counts["retried"] ?? 0) > 0, "the truncated and violating answers were answered again")
            let examples = try await examples(fixture, client, id)
            #expect(examples.count == 500)
            #expect(Set(examples.values.map(\.jsonText)).count == 500, "no two examples are the same")
            let list = try await client.execute(uri: "/api/admin-surface/synthetic-jobs", method: .get, headers: fixture.auth)
            #expect((fixture.json(list.body)["data"] as? [[String: Any]])?.first?["id"] as? String == id)
        }
    }

    static let components = ["kpi_tile", "bar_chart", "line_chart", "activity_stream", "pipeline_board", "table"]

    @Test("each of the platform's component templates gets valid, distinct examples", arguments: components)
    func componentTemplate(template: String) async throws {
        let path = PromptTemplateTests.promptsDirectory + "/components/\(template).schema.json"
        let schemaText = try String(contentsOfFile: path, encoding: .utf8)
        let schema = try #require(JSONValue(parsing: schemaText))
        try await LLMGatewayFixture.run(
            emulator: Self.emulator(broken: BrokenJSONRates(total: 0.2)), window: .fixed(16), kinds: true
        ) { fixture, client in
            let response = try await client.execute(
                uri: "/api/oracle/component-templates/synthetic-jobs", method: .post,
                headers: fixture.auth + [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"template_id":"\#(template)","schema":\#(schema.jsonText),"count":25}"#))
            #expect(response.status == .accepted)
            let id = try #require(fixture.json(response.body)["id"] as? String)
            try await eventually("the job completes", limit: .seconds(60)) {
                (try await syntheticJob(fixture, client, id))["status"] as? String == "completed"
            }
            let download = try await client.execute(
                uri: "/api/admin-surface/synthetic-jobs/\(id)/examples", method: .get, headers: fixture.auth)
            let validator = try JSONSchema(schema)
            let examples = try String(buffer: download.body).split(separator: "\n").map { line in
                try #require(JSONValue(parsing: String(line))?["example"])
            }
            #expect(examples.count == 25)
            #expect(examples.allSatisfy { validator.validate($0).isEmpty })
            #expect(Set(examples.map(\.jsonText)).count == 25)
        }
    }

    @Test("cancel mid-job stops the lines not yet run and keeps the valid examples")
    func cancel() async throws {
        try await LLMGatewayFixture.run(emulator: Self.emulator(tokensPerSecond: 200), window: .fixed(2), kinds: true) {
            fixture, client in
            let id = try await createSynthetic(fixture, client, count: 200)
            try await eventually("some examples are stored") {
                ((try await syntheticJob(fixture, client, id))["counts"] as? [String: Int])?["valid"] ?? 0 >= 3
            }
            let canceled = try await client.execute(
                uri: "/api/admin-surface/synthetic-jobs/\(id)/cancel", method: .post, headers: fixture.auth)
            #expect(canceled.status == .ok)
            var job: [String: Any] = [:]
            try await eventually("every line has ended", limit: .seconds(60)) {
                job = try await syntheticJob(fixture, client, id)
                return job["status"] as? String == "canceled"
            }
            let counts = try #require(job["counts"] as? [String: Int])
            let valid = try #require(counts["valid"])
            #expect(valid >= 3 && valid < 200)
            #expect((counts["canceled"] ?? 0) + valid + (counts["failed"] ?? 0) == 200, "\(counts)")
            #expect(try await examples(fixture, client, id).count == valid)
        }
    }

    @Test("a server that drops out mid-job: the lines are given back and run again, and nothing is stored twice")
    func serverDropsOut() async throws {
        try await LLMGatewayFixture.run(emulator: Self.emulator(tokensPerSecond: 1_000), window: .fixed(4), kinds: true) {
            fixture, client, base in
            let id = try await createSynthetic(fixture, client, count: 60)
            try await eventually("some examples are stored") {
                ((try await syntheticJob(fixture, client, id))["counts"] as? [String: Int])?["valid"] ?? 0 >= 5
            }
            #expect(try await LLMDispatcherTests.post(base, "/emulator/faults", #"{"drop":true,"count":100000}"#) == 200)
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await LLMDispatcherTests.request("DELETE", base, "/emulator/faults", "") == 204)
            var job: [String: Any] = [:]
            try await eventually("the job completes once the server is back", limit: .seconds(90)) {
                job = try await syntheticJob(fixture, client, id)
                return job["status"] as? String == "completed"
            }
            #expect((job["counts"] as? [String: Int])?["valid"] == 60)
            let examples = try await examples(fixture, client, id)
            #expect(examples.count == 60 && Set(examples.keys) == Set(0..<60))
            let rows = try await fixture.gateway.postgres.withConnection {
                try await $0.query("SELECT count(*), count(DISTINCT digest) FROM oracle_synthetic_examples")
            }
            #expect(rows.rows.first == ["60", "60"])
        }
    }
}

extension HTTPFields {
    fileprivate static func + (lhs: HTTPFields, rhs: HTTPFields) -> HTTPFields {
        var fields = lhs
        fields.append(contentsOf: rhs)
        return fields
    }
}
