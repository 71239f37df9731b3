import JSONSchema
import StructuredOutput
import VelocityTypes

extension FuzzTarget {
    static func jsonRecovery(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let strict = try? JSONValue(parsing: Array(text.utf8))
        guard let recovered = try? JSONRecovery.recover(text, truncated: bytes.first == UInt8(ascii: "t")) else {
            check(strict == nil, "strict JSON that recovery refused")
            return
        }
        if let strict { check(recovered.value == strict, "strict JSON recovered as another value") }
        for value in [recovered.value] + recovered.additionalValues {
            let written = value.jsonBytes
            check((try? JSONValue(parsing: written)) == value, "a recovered value does not read back from its JSON")
        }
    }

    static func jsonSchema(_ bytes: [UInt8]) {
        let newline = bytes.firstIndex(of: 0x0A) ?? bytes.endIndex
        guard let schemaValue = try? JSONValue(parsing: bytes[..<newline]),
            let instance = try? JSONValue(parsing: newline < bytes.endIndex ? bytes[(newline + 1)...] : [])
        else { return }
        for formatAssertion in [false, true] {
            guard let schema = try? JSONSchema(schemaValue, formatAssertion: formatAssertion) else { return }
            let failures = schema.validate(instance)
            check(schema.validate(instance) == failures, "validation is not deterministic")
        }
    }
}
