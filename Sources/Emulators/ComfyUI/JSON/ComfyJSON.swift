/// A JSON value as ComfyUI's Python side sees it: objects keep their key order (Python dicts
/// do), integers are exact up to 128 bits (seeds go to 2⁶⁴−1), and floats stay floats, so a
/// value written back out looks like `json.dumps` of the same data.
public enum ComfyJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int128)
    case double(Double)
    case string(String)
    case array([ComfyJSON])
    case object(Object)

    /// An insertion-ordered JSON object; setting an existing key keeps its place, like a Python dict.
    public struct Object: Sendable, Equatable, ExpressibleByDictionaryLiteral {
        public private(set) var keys: [String] = []
        private var values: [String: ComfyJSON] = [:]

        public init() {}

        public init(dictionaryLiteral elements: (String, ComfyJSON)...) {
            for (key, value) in elements { self[key] = value }
        }

        public subscript(key: String) -> ComfyJSON? {
            get { values[key] }
            set {
                if let newValue {
                    if values.updateValue(newValue, forKey: key) == nil { keys.append(key) }
                } else if values.removeValue(forKey: key) != nil {
                    keys.removeAll { $0 == key }
                }
            }
        }

        public var count: Int { keys.count }
        public var isEmpty: Bool { keys.isEmpty }

        /// Key/value pairs in insertion order.
        public var entries: [(key: String, value: ComfyJSON)] {
            keys.map { ($0, values[$0]!) }
        }

        public static func == (lhs: Object, rhs: Object) -> Bool {
            lhs.values == rhs.values
        }
    }

    public static func int(_ value: Int) -> ComfyJSON { .int(Int128(value)) }

    public var objectValue: Object? {
        if case .object(let object) = self { return object }
        return nil
    }

    public var arrayValue: [ComfyJSON]? {
        if case .array(let array) = self { return array }
        return nil
    }

    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// Member `key` of an object; nil for a missing key or a non-object.
    public subscript(key: String) -> ComfyJSON? {
        objectValue?[key]
    }

    /// Python truthiness: `if value:`.
    public var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let value): return value
        case .int(let value): return value != 0
        case .double(let value): return value != 0
        case .string(let value): return !value.isEmpty
        case .array(let value): return !value.isEmpty
        case .object(let value): return !value.isEmpty
        }
    }

    /// Python's `str(value)` for the scalar cases ComfyUI formats into messages.
    public var pythonString: String {
        switch self {
        case .null: return "None"
        case .bool(let value): return value ? "True" : "False"
        case .int(let value): return String(value)
        case .double(let value): return ComfyJSON.pythonFloat(value)
        case .string(let value): return value
        case .array, .object: return pythonRepr
        }
    }

    /// Python's `repr(value)` (single-quoted strings, `None`, `True`), as ComfyUI's messages show values.
    public var pythonRepr: String {
        switch self {
        case .string(let value): return ComfyJSON.pythonStringRepr(value)
        case .array(let values): return "[" + values.map(\.pythonRepr).joined(separator: ", ") + "]"
        case .object(let object):
            return "{" + object.entries.map { "\(ComfyJSON.pythonStringRepr($0.key)): \($0.value.pythonRepr)" }
                .joined(separator: ", ") + "}"
        default: return pythonString
        }
    }

    static func pythonStringRepr(_ value: String) -> String {
        let quote: Character = value.contains("'") && !value.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case quote: out += "\\\(quote)"
            default: out.append(character)
            }
        }
        out.append(quote)
        return out
    }

    /// Python's `repr(float)`: shortest round-trip digits, always with a `.0` or an exponent.
    static func pythonFloat(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        var text = "\(value)"
        // Swift writes 1e+16 as "1e+16" like Python, but 1e-05 as "1e-05" too; only integral
        // values in plain notation need the trailing ".0" Python adds.
        if !text.contains(".") && !text.contains("e") && !text.contains("n") { text += ".0" }
        return text
    }
}

extension ComfyJSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByArrayLiteral, ExpressibleByNilLiteral, ExpressibleByDictionaryLiteral
{
    public init(dictionaryLiteral elements: (String, ComfyJSON)...) {
        var object = Object()
        for (key, value) in elements { object[key] = value }
        self = .object(object)
    }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(Int128(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: ComfyJSON...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
}
