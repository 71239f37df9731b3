import Foundation

/// A JSON value as ComfyUI sends and takes it: workflow graphs, history entries, websocket
/// messages. Integers stay integers (seeds are 64-bit), and objects keep no order (ComfyUI's
/// node ids are keys).
public enum ComfyUIJSON: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([ComfyUIJSON])
    case object([String: ComfyUIJSON])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([ComfyUIJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: ComfyUIJSON].self))
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

    /// Parses JSON bytes; throws when they are not JSON.
    public init(parsing bytes: some Collection<UInt8>) throws {
        self = try JSONDecoder().decode(ComfyUIJSON.self, from: Data(bytes))
    }

    /// Compact JSON bytes with sorted keys.
    public var jsonBytes: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { Array($0) } ?? Array("null".utf8)
    }

    public var jsonText: String { String(decoding: jsonBytes, as: UTF8.self) }

    public subscript(key: String) -> ComfyUIJSON? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var objectValue: [String: ComfyUIJSON]? {
        if case .object(let value) = self { return value }
        return nil
    }

    public var arrayValue: [ComfyUIJSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var intValue: Int64? {
        switch self {
        case .int(let value): return value
        case .double(let value) where value == value.rounded() && abs(value) < 9.0e15: return Int64(value)
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A short name of the value's JSON type, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
