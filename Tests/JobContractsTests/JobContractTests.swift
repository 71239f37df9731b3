import Foundation
import JobContracts
import Testing
import VelocityTypes

/// Contracts, the decoder that reads payloads from parsed JSON, and the registry of kinds.
@Suite("Job contracts")
struct JobContractTests {
    struct Sample: Codable, Equatable {
        struct Item: Codable, Equatable {
            var name: String
            var weight: Double
        }
        var id: Int64
        var small: UInt8
        var ratio: Double
        var flag: Bool
        var note: String?
        var items: [Item]
        var extra: JSONValue
        var tags: [String: Int]
    }

    static let sampleJSON = #"""
        {"id": 9007199254740993, "small": 255, "ratio": 2, "flag": true, "note": null,
         "items": [{"name": "a", "weight": 1.5}, {"name": "b", "weight": 3}],
         "extra": {"deep": [1, "x", null]}, "tags": {"t": 1}}
        """#

    @Test("the JSON value decoder reads what JSONDecoder reads from the same text, exactly")
    func decoderMatchesJSONDecoder() throws {
        let value = try JSONValue(parsing: Self.sampleJSON.utf8)
        let viaValue = try JSONValueDecoder.decode(Sample.self, from: value)
        let viaText = try JSONDecoder().decode(Sample.self, from: Data(Self.sampleJSON.utf8))
        #expect(viaValue == viaText)
        #expect(viaValue.id == 9_007_199_254_740_993, "64-bit integers stay exact")
        #expect(viaValue.ratio == 2 && viaValue.note == nil && viaValue.items[1].weight == 3)
        #expect(viaValue.extra == .object(["deep": .array([.int(1), .string("x"), .null])]))
    }

    @Test(
        "a payload that does not decode names the field by its path, arrays by index",
        arguments: [
            (#"{"small": 255}"#, "id", "is required"),
            (#"{"id": "1"}"#, "id", "must be an integer"),
            (#"{"id": 1, "small": 256}"#, "small", "does not fit in UInt8"),
            (#"{"id": 1.5}"#, "id", "must be an integer"),
            (#"{"id": 1, "small": 1, "ratio": "x"}"#, "ratio", "must be a number"),
            (#"{"id": 1, "small": 1, "ratio": 1, "flag": 1}"#, "flag", "must be a boolean"),
            (#"{"id": 1, "small": 1, "ratio": 1, "flag": true, "items": {}}"#, "items", "must be an array"),
            (#"{"id": 1, "small": 1, "ratio": 1, "flag": true, "items": [{"name": "a", "weight": 1}, {"name": 2}]}"#,
             "items.1.name", "must be a string"),
            (#"{"id": 1, "small": 1, "ratio": 1, "flag": true, "items": [{"name": "a"}]}"#, "items.0.weight", "is required"),
            (#"{"id": 1, "small": 1, "ratio": 1, "flag": true, "items": [], "extra": 1, "tags": {"t": "one"}}"#,
             "tags.t", "must be an integer"),
            (#"[]"#, nil, "must be a JSON object"),
        ] as [(String, String?, String)])
    func namedFields(text: String, field: String?, reason: String) throws {
        do {
            _ = try Probe.payload(fromJSON: text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.field == field, "\(text): \(error)")
            #expect(error.reason.contains(reason), "\(text): \(error)")
            #expect(error.code == .invalidPayload && !error.retriable)
            #expect(error.message == "\(field.map { "payload.\($0)" } ?? "payload"): \(error.reason)")
        }
    }

    enum Probe: JobContract {
        static let kind = JobKind(name: "test.probe", queue: "q")
        typealias Payload = Sample
        typealias Result = JSONValue
    }

    enum Positive: JobContract {
        static let kind = JobKind(name: "test.positive", queue: "cpu", defaultPriority: 3)
        struct Payload: Codable, Sendable { var n: Int }
        typealias Result = Int
        static func validate(_ payload: Payload) throws(PayloadError) {
            guard payload.n > 0 else { throw PayloadError(kind: kind.name, field: "n", "must be positive") }
        }
    }

    @Test("the registry checks a kind's payload with its contract; kinds without one take any JSON object")
    func registry() throws {
        var registry = JobKindRegistry([JobKind(name: "test.free", queue: "cpu")])
        registry.register(Positive.self)
        #expect(registry.names == ["test.free", "test.positive"])
        #expect(registry.queues == ["cpu"])
        #expect(registry.kind(named: "test.positive")?.defaultPriority == 3)
        try registry.checkPayload(.object(["n": .int(2)]), kind: "test.positive")
        try registry.checkPayload(.object(["anything": .bool(true)]), kind: "test.free")
        #expect(throws: PayloadError(kind: "test.positive", field: "n", "must be positive")) {
            try registry.checkPayload(.object(["n": .int(0)]), kind: "test.positive")
        }
        #expect(throws: PayloadError(kind: "test.positive", field: "n", "is required")) {
            try registry.checkPayload(.object([:]), kind: "test.positive")
        }
        #expect(throws: PayloadError(kind: "test.free", field: nil, "must be a JSON object")) {
            try registry.checkPayload(.array([]), kind: "test.free")
        }
    }

    @Test("the standard kinds: their queues and priorities, and the contracts of the ones that have them")
    func standardKinds() throws {
        let standard = JobKindRegistry.standard
        #expect(
            standard.names == [
                "cpu.task", "crm.import", "dream_weaver.render", "llm.batch", "llm.chat", "oracle.synthetic_template",
                "qd.score",
            ])
        #expect(standard.queues == ["cpu", "llm", "media"])
        #expect(standard.kind(named: "llm.chat")?.defaultPriority == 500)
        #expect(standard.kind(named: "llm.batch")?.defaultPriority == -500)
        let line = try LLMBatchLine.payload(
            fromJSON: #"{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"messages":[],"n":1}}"#)
        #expect(line.batch_id == nil && line.custom_id == "a")
        #expect(line.body["n"] == .int(1))
        #expect(standard.kind(named: "crm.import")?.queue == "cpu")
        #expect(throws: PayloadError.self) { try CRMImportJob.payload(fromJSON: #"{"batch_id":"x","step":"ingest"}"#) }
        #expect(throws: PayloadError.self) {
            try CRMImportJob.payload(fromJSON: #"{"batch_id":"6f1c8c5e-2d7a-4a55-9a43-2a0b3c4d5e6f","step":"upload"}"#)
        }
        let step = try CRMImportJob.payload(fromJSON: #"{"batch_id":"6f1c8c5e-2d7a-4a55-9a43-2a0b3c4d5e6f","step":"commit"}"#)
        #expect(step.step == .commit)
        let chat = try LLMChat.payload(fromJSON: #"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#)
        #expect(chat["model"] == .string("m"))
        // The request's fields reach the server as sent.
        #expect(try JSONValue(parsing: LLMChat.encode(chat).utf8) == .object(chat.fields))
    }
}
