/// A Redis reply, copied out of hiredis' reply tree before it is freed.
public enum RESPValue: Sendable, Equatable {
    case simpleString(String)
    case bulkString([UInt8])
    case integer(Int)
    case array([RESPValue])
    case null
    case error(String)

    /// The reply as text: bulk strings are decoded as UTF-8, integers are printed.
    public var string: String? {
        switch self {
        case .simpleString(let s): return s
        case .bulkString(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .integer(let i): return String(i)
        default: return nil
        }
    }

    /// The reply as an integer: integer replies, and bulk strings that hold one.
    public var int: Int? {
        switch self {
        case .integer(let i): return i
        case .bulkString, .simpleString: return string.flatMap { Int($0) }
        default: return nil
        }
    }

    public var array: [RESPValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    public var isNull: Bool { self == .null }
}
