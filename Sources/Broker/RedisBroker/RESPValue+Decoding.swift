import RedisClient

/// Typed reads of the replies of the broker's scripts and commands.
///
/// The broker writes every reply it reads, so a reply of another shape is a bug (or a script
/// of another version): it fails loudly, naming the field, rather than passing on a default
/// that would show up later as an empty id or an attempt 0.
extension RESPValue {
    func decodeArray(_ field: @autoclosure () -> String) throws -> [RESPValue] {
        guard case .array(let values) = self else {
            throw BrokerError.malformedReply(field(), expected: "an array", got: self)
        }
        return values
    }

    /// An array of exactly `count` values.
    func decodeArray(_ field: @autoclosure () -> String, count: Int) throws -> [RESPValue] {
        let values = try decodeArray(field())
        guard values.count == count else {
            throw BrokerError.malformedReply(field(), expected: "\(count) values", got: self)
        }
        return values
    }

    /// Bulk or status text; a Lua number comes back as an integer reply and is printed.
    func decodeText(_ field: @autoclosure () -> String) throws -> String {
        switch self {
        case .bulkString, .simpleString, .integer: return string!
        default: throw BrokerError.malformedReply(field(), expected: "text", got: self)
        }
    }

    /// Text, or nil for a null reply (a missing hash field, a missing key).
    func decodeOptionalText(_ field: @autoclosure () -> String) throws -> String? {
        self == .null ? nil : try decodeText(field())
    }

    /// An integer reply, or text that holds one (hash fields, Lua strings).
    func decodeInt(_ field: @autoclosure () -> String) throws -> Int {
        guard let value = int else { throw BrokerError.malformedReply(field(), expected: "an integer", got: self) }
        return value
    }

    /// An integer, or nil for a null reply.
    func decodeOptionalInt(_ field: @autoclosure () -> String) throws -> Int? {
        self == .null ? nil : try decodeInt(field())
    }

    /// A `JobState` raw value.
    func decodeState(_ field: @autoclosure () -> String) throws -> JobState {
        guard let state = JobState(rawValue: try decodeText(field())) else {
            throw BrokerError.malformedReply(field(), expected: "a job state", got: self)
        }
        return state
    }

    /// A flat `[name, value, …]` reply (`HGETALL`, a stream entry) as a dictionary.
    func decodeFields(_ field: @autoclosure () -> String) throws -> [String: String] {
        let values = try decodeArray(field())
        guard values.count % 2 == 0 else {
            throw BrokerError.malformedReply(field(), expected: "name-value pairs", got: self)
        }
        var fields: [String: String] = [:]
        fields.reserveCapacity(values.count / 2)
        for i in stride(from: 0, to: values.count, by: 2) {
            let name = try values[i].decodeText("\(field()) field name")
            fields[name] = try values[i + 1].decodeText("\(field()).\(name)")
        }
        return fields
    }
}

extension BrokerError {
    /// A reply whose `field` is not of the shape the broker wrote.
    static func malformedReply(_ field: String, expected: String, got value: RESPValue) -> BrokerError {
        var shown = "\(value)"
        if shown.count > 200 { shown = shown.prefix(200) + "…" }
        return BrokerError(
            .malformedReply, "malformed broker reply: \(field) should be \(expected), got \(shown)", field: field)
    }
}
