import Foundation

/// Any JSON value: the one JSON type of the product (job payloads and results, ComfyUI
/// workflows, history entries and websocket messages, API bodies).
///
/// Integers stay integers (seeds are 64-bit; a client's payload round-trips as sent) and
/// objects keep no order (ComfyUI's node ids are keys).
public enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = JSONValue(number: value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// A number as the value model holds it: `.int` when it is whole and Int64 holds it (a
    /// Double past 2^53 has lost any fraction its text had, and no JSON text of a whole number
    /// in Int64's range reads back as anything but `.int`), `.double` otherwise.
    public init(number: Double) {
        if number.rounded(.towardZero) == number, number >= -9_223_372_036_854_775_808.0,
            number < 9_223_372_036_854_775_808.0
        {
            self = .int(Int64(number))
        } else {
            self = .double(number)
        }
    }

    /// Parses JSON bytes; throws when they are not JSON.
    public init(parsing bytes: some Collection<UInt8>) throws {
        // No JSON text holds a raw NUL (in a string it must be escaped), but Foundation's
        // decoder takes one after a value as the end of the text: `1\0` would read as 1.
        if bytes.contains(0) {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a NUL byte is not JSON"))
        }
        self = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    /// Parses JSON text; nil when it is not JSON.
    public init?(parsing text: String) {
        guard let value = try? JSONValue(parsing: text.utf8) else { return nil }
        self = value
    }
}
