public import VelocityTypes

/// Decodes a `Decodable` type straight from a parsed `JSONValue`, so a payload the gateway
/// already parsed is checked against its kind's type without being printed and parsed again.
///
/// Errors are `DecodingError`s with the coding path, as `JSONDecoder` throws them; numbers
/// convert as `JSONDecoder` converts them (an integer into a `Double`, a whole `Double` into an
/// integer type that holds it exactly).
public struct JSONValueDecoder: Decoder {
    let value: JSONValue
    public let codingPath: [any CodingKey]
    public var userInfo: [CodingUserInfoKey: Any] { [:] }

    public init(_ value: JSONValue, codingPath: [any CodingKey] = []) {
        self.value = value
        self.codingPath = codingPath
    }

    /// `T` decoded from `value`.
    public static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try JSONValueDecoder(value).decode(type)
    }

    public func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else { throw mismatch([String: JSONValue].self) }
        return KeyedDecodingContainer(KeyedContainer(object: object, codingPath: codingPath))
    }

    public func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let array) = value else { throw mismatch([JSONValue].self) }
        return UnkeyedContainer(array: array, codingPath: codingPath)
    }

    public func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func mismatch(_ type: Any.Type) -> DecodingError {
        DecodingError.typeMismatch(
            type, .init(codingPath: codingPath, debugDescription: "expected \(type), found \(value.typeName)"))
    }

    func child(_ value: JSONValue, _ key: any CodingKey) -> JSONValueDecoder {
        JSONValueDecoder(value, codingPath: codingPath + [key])
    }
}

extension JSONValueDecoder: SingleValueDecodingContainer {
    public func decodeNil() -> Bool { value.isNull }

    public func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let bool) = value else { throw mismatch(type) }
        return bool
    }

    public func decode(_ type: String.Type) throws -> String {
        guard case .string(let string) = value else { throw mismatch(type) }
        return string
    }

    public func decode(_ type: Double.Type) throws -> Double {
        guard let number = value.doubleValue else { throw mismatch(type) }
        return number
    }

    public func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    public func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    public func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    public func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    public func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    public func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    public func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    public func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    public func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    public func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    public func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        // A `JSONValue` field takes the value as it is.
        if let value = value as? T { return value }
        return try T(from: self)
    }

    func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard let whole = value.intValue else { throw mismatch(type) }
        guard let exact = T(exactly: whole) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: codingPath, debugDescription: "\(whole) does not fit in \(type)"))
        }
        return exact
    }
}
