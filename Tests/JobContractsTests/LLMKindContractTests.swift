import Foundation
import JobContracts
import Testing
import VelocityTypes

/// The contracts of `qd.score` and `oracle.synthetic_template`, and results kept as sent.
@Suite("LLM kind contracts")
struct LLMKindContractTests {
    static let packet = #"""
        {"person_id":"p-7","lead_id":"l-7","session_id":"s-7","consent":true,
         "signals":[{"t_ms":0,"name":"smile_intensity","value":0.8},{"t_ms":250,"name":"brow_furrow","value":0}],
         "scene":{"video_asset_id":"vid-terrace","timestamp_ms":12000}}
        """#

    /// The packet with one field replaced (a JSON fragment at a top-level key).
    static func packet(_ key: String, _ fragment: String) -> String {
        var object = try! JSONValue(parsing: packet.utf8).objectValue!
        object[key] = JSONValue(parsing: fragment)
        return JSONValue.object(object).jsonText
    }

    @Test("a consenting packet decodes with its readings and scene")
    func packetDecodes() throws {
        let packet = try QDScore.payload(fromJSON: Self.packet)
        #expect(packet.signals.count == 2 && packet.signals[1].name == "brow_furrow")
        #expect(packet.scene?.video_asset_id == "vid-terrace")
        #expect(QDScore.kind.queue == "llm")
        #expect(JobKindRegistry.standard.kind(named: "qd.score") == QDScore.kind)
    }

    @Test(
        "packets that break a rule are refused naming the field",
        arguments: [
            (packet("consent", "false"), "consent"),
            (packet("person_id", #"" ""#), "person_id"),
            (packet("session_id", #""""#), "session_id"),
            (packet("signals", "[]"), "signals"),
            (packet("signals", #"[{"t_ms":-1,"name":"smile","value":0.5}]"#), "signals.0.t_ms"),
            (packet("signals", #"[{"t_ms":0,"name":"smile intensity","value":0.5}]"#), "signals.0.name"),
            (packet("signals", #"[{"t_ms":0,"name":"smile","value":1.01}]"#), "signals.0.value"),
            (packet("signals", #"[{"t_ms":0,"name":"smile"}]"#), "signals.0.value"),
            (packet("scene", #"{"video_asset_id":"","timestamp_ms":0}"#), "scene.video_asset_id"),
            (packet("consent", #""yes""#), "consent"),
        ])
    func packetRefusals(json: String, field: String) throws {
        #expect {
            try QDScore.payload(fromJSON: json)
        } throws: { error in
            (error as? PayloadError)?.field == field
        }
        #expect(throws: PayloadError.self) { try JobKindRegistry.standard.checkPayload(JSONValue(parsing: json)!, kind: "qd.score") }
    }

    @Test("too many readings are refused")
    func tooManyReadings() throws {
        let readings = Array(repeating: #"{"t_ms":0,"name":"smile","value":0.5}"#, count: QDScore.maxSignals + 1)
        #expect(throws: PayloadError.self) {
            try QDScore.payload(fromJSON: Self.packet("signals", "[" + readings.joined(separator: ",") + "]"))
        }
    }

    @Test(
        "a synthetic line names its job, template and line; anything else is refused naming the field",
        arguments: [
            (#"{"synthetic_job_id":"nope","template_id":"kpi_tile","line":0}"#, "synthetic_job_id"),
            (#"{"synthetic_job_id":"0192f0c4-7d2a-7000-8000-000000000001","template_id":"KPI","line":0}"#, "template_id"),
            (#"{"synthetic_job_id":"0192f0c4-7d2a-7000-8000-000000000001","template_id":"kpi_tile","line":10000}"#, "line"),
            (#"{"synthetic_job_id":"0192f0c4-7d2a-7000-8000-000000000001","template_id":"kpi_tile"}"#, "line"),
        ])
    func syntheticRefusals(json: String, field: String) throws {
        #expect {
            try OracleSyntheticTemplate.payload(fromJSON: json)
        } throws: { error in
            (error as? PayloadError)?.field == field
        }
    }

    @Test("a valid synthetic line decodes, and its kind is low-priority llm work")
    func syntheticLine() throws {
        let line = try OracleSyntheticTemplate.payload(
            fromJSON: #"{"synthetic_job_id":"0192f0c4-7d2a-7000-8000-000000000001","template_id":"bar-chart_2","line":9999}"#)
        #expect(line.line == 9_999)
        #expect(OracleSyntheticTemplate.kind.queue == "llm")
        #expect(OracleSyntheticTemplate.kind.defaultPriority < LLMChat.kind.defaultPriority)
    }

    @Test("a raw JSON result is stored byte for byte; other results are sorted compact JSON")
    func rawResults() throws {
        let body = #"{"id":"c1", "object":"chat.completion",  "choices":[]}"#
        #expect(try LLMChat.encode(result: RawJSON(body)) == body)
        #expect(try LLMBatchLine.encode(result: RawJSON(body)) == body)
        let decoded = try JSONDecoder().decode(RawJSON.self, from: Data(body.utf8))
        #expect(JSONValue(parsing: decoded.text) == JSONValue(parsing: body))
        let result = OracleSyntheticTemplate.Result(line: 2, llm_calls: 1, regenerations: 0, example: ["b": 1, "a": "x"])
        #expect(try OracleSyntheticTemplate.encode(result: result) == #"{"example":{"a":"x","b":1},"line":2,"llm_calls":1,"regenerations":0}"#)
    }
}
