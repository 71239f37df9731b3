import Foundation

extension JobContract {
    /// A payload as a job stores it: compact JSON text with sorted keys.
    public static func encode(_ payload: Payload) throws -> String {
        try encodeJSON(payload)
    }

    /// A result as a job stores it: compact JSON text with sorted keys, or a `RawJSON`'s text
    /// as it is.
    public static func encode(result: Result) throws -> String {
        if let raw = result as? RawJSON { return raw.text }
        return try encodeJSON(result)
    }
}

func encodeJSON(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
