import CurlClient
import Emulators
import Foundation
import Testing
import VelocityTypes

/// `response_format` over HTTP: every flavor takes `json_object` and `json_schema` and answers
/// JSON that fits, or JSON broken at the configured rates.
@Suite("OpenAI emulator structured output")
struct OpenAIEmulatorStructuredTests {
    typealias Flavor = OpenAIEmulatorConfiguration.Flavor

    static let schema = #"{"type":"object","properties":{"room":{"type":"string","enum":["kitchen","bath","loft"]},"area":{"type":"integer","minimum":5,"maximum":80},"features":{"type":"array","items":{"type":"string"},"minItems":1,"maxItems":3}},"required":["room","area","features"],"additionalProperties":false}"#

    static func request(_ prompt: String, format: String, stream: Bool = false) -> String {
        #"{"model":"m","messages":[{"role":"user","content":"\#(prompt)"}],"max_tokens":400,"stream":\#(stream),"response_format":\#(format)}"#
    }

    static let jsonSchemaFormat = #"{"type":"json_schema","json_schema":{"name":"listing","strict":true,"schema":\#(schema)}}"#

    static func configuration(_ flavor: Flavor, broken: BrokenJSONRates = .none) -> OpenAIEmulatorConfiguration {
        OpenAIEmulatorConfiguration(flavor: flavor, model: "m", slots: 8, tokensPerSecond: 20_000, prefillMilliseconds: 1, brokenJSON: broken)
    }

    /// The content and finish reason of a non-streamed answer.
    static func answer(_ curl: CurlHTTPClient, _ base: String, _ body: String) async throws -> (content: String, finish: String?) {
        let response = try await OpenAIEmulatorTests.post(curl, base, "/v1/chat/completions", body)
        #expect(response.status == 200, "\(response.text)")
        let choice = (OpenAIEmulatorTests.json(response)["choices"] as? [[String: Any]])?.first
        return ((choice?["message"] as? [String: Any])?["content"] as? String ?? "", choice?["finish_reason"] as? String)
    }

    @Test("every flavor answers json_schema and json_object with JSON that fits, streamed or not", arguments: Flavor.allCases)
    func validAnswers(flavor: Flavor) async throws {
        let schema = try GenerationSchema(try #require(JSONValue(parsing: Self.schema)))
        try await OpenAIEmulatorTests.withEmulator(Self.configuration(flavor)) { _, base, curl in
            for index in 0..<10 {
                let (content, finish) = try await Self.answer(curl, base, Self.request("listing \(index)", format: Self.jsonSchemaFormat))
                let value = try #require(JSONValue(parsing: content), "\(content)")
                #expect(schema.violations(of: value) == [], "\(content)")
                #expect(finish == "stop")
            }
            let object = try await Self.answer(curl, base, Self.request("anything", format: #"{"type":"json_object"}"#))
            #expect(JSONValue(parsing: object.content)?.isObject == true)
            let stream = try await curl.events(
                .bytes("POST", base + "/v1/chat/completions", Array(Self.request("streamed", format: Self.jsonSchemaFormat, stream: true).utf8),
                    contentType: "application/json"))
            var content = ""
            var finish: String?
            for try await event in stream.events where event.data != "[DONE]" {
                let chunk = (try? JSONSerialization.jsonObject(with: Data(event.data.utf8))) as? [String: Any]
                let choice = (chunk?["choices"] as? [[String: Any]])?.first
                content += (choice?["delta"] as? [String: Any])?["content"] as? String ?? ""
                finish = choice?["finish_reason"] as? String ?? finish
            }
            #expect(schema.violations(of: try #require(JSONValue(parsing: content), "\(content)")) == [])
            #expect(finish == "stop")
            // The same request, the same answer.
            let again = try await Self.answer(curl, base, Self.request("listing 0", format: Self.jsonSchemaFormat))
            #expect(again.content == (try await Self.answer(curl, base, Self.request("listing 0", format: Self.jsonSchemaFormat))).content)
        }
    }

    @Test("at a kind's rate 1 every answer is broken that way", arguments: BrokenJSONKind.allCases)
    func brokenAnswers(kind: BrokenJSONKind) async throws {
        let schema = try GenerationSchema(try #require(JSONValue(parsing: Self.schema)))
        let flavor = Flavor.allCases[BrokenJSONKind.allCases.firstIndex(of: kind)! % Flavor.allCases.count]
        try await OpenAIEmulatorTests.withEmulator(Self.configuration(flavor, broken: BrokenJSONRates(overrides: [kind: 1]))) { _, base, curl in
            for index in 0..<5 {
                let (content, finish) = try await Self.answer(curl, base, Self.request("listing \(index)", format: Self.jsonSchemaFormat))
                let parsed = JSONValue(parsing: content)
                #expect(finish == (kind == .truncated ? "length" : "stop"))
                switch kind {
                case .fenced: #expect(content.hasPrefix("```json\n") && content.hasSuffix("\n```") && parsed == nil)
                case .prose: #expect(!content.hasPrefix("{") && !content.hasSuffix("}") && content.contains("{") && parsed == nil)
                case .trailingComma:
                    // Invalid JSON by RFC 8259, though Foundation's lenient decoder reads it.
                    #expect(content.hasSuffix(",}") && !content.dropLast(2).contains(",}"))
                    let repaired = try #require(JSONValue(parsing: String(content.dropLast(2)) + "}"))
                    #expect(schema.violations(of: repaired) == [])
                case .singleQuotes: #expect(content.hasPrefix("{'") && parsed == nil)
                case .truncated: #expect(content.hasPrefix("{\"") && !content.hasSuffix("}") && parsed == nil)
                case .schemaViolation:
                    let value = try #require(parsed, "\(content)")
                    #expect(!schema.violations(of: value).isEmpty, "\(content)")
                }
            }
        }
    }

    @Test("response_format is validated the way each server validates it", arguments: Flavor.allCases)
    func validation(flavor: Flavor) async throws {
        try await OpenAIEmulatorTests.withEmulator(Self.configuration(flavor)) { _, base, curl in
            let unnamed = Self.request("x", format: #"{"type":"json_schema","json_schema":{"schema":\#(Self.schema)}}"#)
            let response = try await OpenAIEmulatorTests.post(curl, base, "/v1/chat/completions", unnamed)
            // pydantic requires json_schema.name in SGLang and vLLM; llama.cpp reads only the schema.
            #expect(response.status == (flavor == .llamacpp ? 200 : 400), "\(response.text)")
            for format in [#"{"type":"xml"}"#, #"{"type":"json_schema","json_schema":{"name":"n","schema":{"type":"strange"}}}"#] {
                let refused = try await OpenAIEmulatorTests.post(curl, base, "/v1/chat/completions", Self.request("x", format: format))
                #expect(refused.status == 400, "\(format)")
            }
        }
    }
}
