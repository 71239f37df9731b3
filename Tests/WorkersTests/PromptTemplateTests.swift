import Foundation
import JobContracts
import StructuredOutput
import Testing
import VelocityTypes
@testable import Workers

/// Versioned prompt templates: the repository's `qd_score` parses and compiles, broken
/// templates are refused at load with what is wrong, placeholders must all be filled.
@Suite("Prompt templates")
struct PromptTemplateTests {
    static var promptsDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("prompts").path
    }

    static let minimal = """
        ---
        name: t
        version: 2
        ---
        ## system
        Be brief.
        ## user
        Hello {{who}}, {{count}} times.
        """

    @Test("the shipped qd_score template has a version, two messages and an answer schema that compiles")
    func shippedQDScore() throws {
        let prompt = try QDScorePrompt.load(from: Self.promptsDirectory)
        #expect(prompt.template.name == "qd_score")
        #expect(prompt.template.version == "1")
        #expect(prompt.template.placeholders == ["session_id", "lead_id", "scene", "count", "signals"])
        let packet = try QDScore.payload(
            fromJSON: #"{"person_id":"p","lead_id":"l-9","session_id":"s-3","consent":true,"signals":[{"t_ms":120,"name":"smile_intensity","value":0.75}]}"#)
        let messages = try prompt.template.messages(QDScoreProcessor.promptValues(packet))
        let user = try #require(messages[1]["content"]?.stringValue)
        #expect(user.contains("Session s-3 of lead l-9."))
        #expect(user.contains("0 | 120 | smile_intensity | 0.75"))
        #expect(!user.contains("{{"))
        #expect(prompt.schema.responseFormat?["json_schema"]?["name"] == "qd_score")
        let valid: JSONValue = ["score": 72, "confidence": 0.6, "reasoning": "Smiled throughout.", "evidence": [0]]
        #expect(prompt.schema.validator.validate(valid).isEmpty)
        #expect(!prompt.schema.validator.validate(["score": 140, "confidence": 0.6, "reasoning": "x", "evidence": [0]]).isEmpty)
    }

    @Test("placeholders are found and must all be filled, with nothing extra")
    func placeholders() throws {
        let template = try PromptTemplate(parsing: Self.minimal)
        #expect(template.placeholders == ["who", "count"])
        #expect(template.answerSchema == nil)
        let messages = try template.messages(["who": "Asha", "count": "3"])
        #expect(messages[0]["content"] == "Be brief.")
        #expect(messages[1]["content"] == "Hello Asha, 3 times.")
        // A value holding a placeholder stays text, whatever the order of the values.
        let injected = try template.messages(["who": "{{count}}", "count": "3"])
        #expect(injected[1]["content"] == "Hello {{count}}, 3 times.")
        #expect(throws: PromptTemplateError.self) { try template.messages(["who": "Asha"]) }
        #expect(throws: PromptTemplateError.self) { try template.messages(["who": "Asha", "count": "1", "extra": "x"]) }
    }

    @Test("a template with Windows line endings reads as the same template")
    func crlf() throws {
        let crlf = try PromptTemplate(parsing: Self.minimal.replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(crlf == (try PromptTemplate(parsing: Self.minimal)))
    }

    @Test(
        "broken templates are refused at load",
        arguments: [
            "## system\nx\n## user\ny",
            "---\nname: t\n---\n## system\nx\n## user\ny",
            "---\nname: t\nversion: 1\n---\n## system\nx",
            "---\nname: t\nversion: 1\n---\n## system\n\n## user\ny",
            "---\nname: t\nversion 1\n---\n## system\nx\n## user\ny",
            "---\nname: t\nversion: 1\n---\n## system\nx\n## user\ny\n## answer schema\n```json\n{\"type\":\n```",
            "---\nname: t\nversion: 1\n---\n## system\nx\n## user\ny\n## answer schema\n{\"type\":\"object\"}",
        ])
    func refusals(text: String) {
        #expect(throws: PromptTemplateError.self) { try PromptTemplate(parsing: text) }
    }

    @Test("a template without an answer schema, or one that does not compile, cannot be the qd_score prompt")
    func qdPromptNeedsSchema() throws {
        #expect(throws: PromptTemplateError.self) { try QDScorePrompt(template: PromptTemplate(parsing: Self.minimal)) }
        let badSchema = Self.minimal + "\n## answer schema\n```json\n{\"type\": 5}\n```"
        #expect(throws: (any Error).self) { try QDScorePrompt(template: PromptTemplate(parsing: badSchema)) }
        #expect(throws: PromptTemplateError.self) { try PromptTemplate.load(named: "missing", in: Self.promptsDirectory) }
    }
}
