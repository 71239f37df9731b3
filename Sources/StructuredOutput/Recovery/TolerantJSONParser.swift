import VelocityTypes

/// Parses one JSON value from `position`, tolerating the slips language models make and
/// recording each repair; the text after the value is left to the caller.
///
/// Containers live on an explicit stack rather than the call stack, so that the depth limit,
/// not the thread's stack size, bounds nesting. Reaching `end` inside a value is truncation:
/// the open containers are closed and the member still being written is dropped, never completed.
struct TolerantJSONParser {
    /// Why a value could not be parsed; `isFatal` ends the whole recovery (the depth limit),
    /// any other failure only the attempt at this position.
    struct Failure: Error {
        var offset: Int
        var message: String
        var isFatal = false
    }

    /// How many repairs the parser has made, to undo those of an attempt that failed.
    struct Mark {
        fileprivate var listed: Int
        fileprivate var unlisted: Int
    }

    /// An open object or array.
    struct Frame {
        let isObject: Bool
        /// Its key or index in the enclosing container; nil for the root.
        let component: String?
        var elements: [JSONValue] = []
        var members: [String: JSONValue] = [:]
        /// The key whose value is being parsed.
        var key: String?
        /// The repairs made before that key, to forget the key's own if its member is dropped.
        var keyMark: Mark?

        var value: JSONValue { isObject ? .object(members) : .array(elements) }
    }

    private enum Expectation {
        case value
        case keyOrEnd(afterComma: Bool)
        case elementOrEnd(afterComma: Bool)
        case separatorOrEnd
    }

    /// What was cut off when the text ended.
    private enum Incomplete {
        case nothing
        case key
        case member
    }

    let bytes: [UInt8]
    /// Whether the server stopped the answer for length: a top-level number that runs into the
    /// end may then have lost digits.
    let truncated: Bool
    let maximumDepth: Int
    let repairListLimit: Int
    var end: Int
    var position = 0
    private(set) var repairs: [JSONRepair] = []
    private(set) var unlistedRepairs = 0
    var frames: [Frame] = []

    init(bytes: [UInt8], truncated: Bool, maximumDepth: Int, repairListLimit: Int) {
        self.bytes = bytes
        self.truncated = truncated
        self.maximumDepth = maximumDepth
        self.repairListLimit = repairListLimit
        self.end = bytes.count
    }

    /// The value that starts at `position`; `position` is left just after it.
    mutating func parseValue() throws(Failure) -> JSONValue {
        frames.removeAll(keepingCapacity: true)
        defer { frames.removeAll(keepingCapacity: true) }
        var expectation = Expectation.value
        while true {
            skipTrivia()
            guard position < end else { return try closeAtEnd(expectation) }
            let byte = bytes[position]
            switch expectation {
            case .value:
                if ASCII.isContainerStart(byte) {
                    try open(isObject: byte == ASCII.openBrace)
                    expectation =
                        byte == ASCII.openBrace ? .keyOrEnd(afterComma: false) : .elementOrEnd(afterComma: false)
                    continue
                }
                let mark = self.mark
                let start = position
                switch try scanScalar() {
                case .complete(let value):
                    if frames.isEmpty { return value }
                    attach(value)
                    expectation = .separatorOrEnd
                case .reachesEnd(let value):
                    if frames.isEmpty {
                        guard truncated else { return value }
                        throw Failure(
                            offset: start, message: "the answer was cut inside a number that may have lost digits")
                    }
                    rewind(to: mark)
                    return try close(dropping: .member)
                case .cut:
                    rewind(to: mark)
                    if frames.isEmpty { throw Failure(offset: start, message: "the answer ends inside its only value") }
                    return try close(dropping: .member)
                }
            case .keyOrEnd(let afterComma):
                if byte == ASCII.closeBrace {
                    if let root = closeContainer(afterComma: afterComma) { return root }
                    expectation = .separatorOrEnd
                    continue
                }
                let keyMark = mark
                guard let key = try scanKey() else { return try close(dropping: .key) }
                frames[frames.count - 1].key = key
                frames[frames.count - 1].keyMark = keyMark
                skipTrivia()
                guard position < end else { return try close(dropping: .member) }
                guard bytes[position] == ASCII.colon else { throw failure("expected ':' after the key") }
                position += 1
                expectation = .value
            case .elementOrEnd(let afterComma):
                if byte == ASCII.closeBracket {
                    if let root = closeContainer(afterComma: afterComma) { return root }
                    expectation = .separatorOrEnd
                    continue
                }
                expectation = .value
            case .separatorOrEnd:
                let isObject = frames[frames.count - 1].isObject
                if byte == ASCII.comma {
                    position += 1
                    expectation = isObject ? .keyOrEnd(afterComma: true) : .elementOrEnd(afterComma: true)
                } else if byte == (isObject ? ASCII.closeBrace : ASCII.closeBracket) {
                    if let root = closeContainer(afterComma: false) { return root }
                } else {
                    throw failure(isObject ? "expected ',' or '}'" : "expected ',' or ']'")
                }
            }
        }
    }

    /// Reached `end` while expecting `expectation`.
    private mutating func closeAtEnd(_ expectation: Expectation) throws(Failure) -> JSONValue {
        guard !frames.isEmpty else { throw Failure(offset: position, message: "the answer ends before a value") }
        if case .value = expectation, frames[frames.count - 1].isObject { return try close(dropping: .member) }
        return try close(dropping: .nothing)
    }

    /// Closes every open container at the end of the text, without what was cut off.
    private mutating func close(dropping incomplete: Incomplete) throws(Failure) -> JSONValue {
        var detail: [String] = []
        let path: String
        switch incomplete {
        case .nothing:
            path = containerPointer()
        case .key:
            path = containerPointer()
            detail.append("dropped an incomplete key in \(path.isEmpty ? "the root" : path)")
        case .member:
            path = memberPointer()
            if let keyMark = frames[frames.count - 1].keyMark { rewind(to: keyMark) }
            detail.append("dropped incomplete \(path)")
        }
        let closed = frames.count
        detail.append(closed == 1 ? "closed 1 container" : "closed \(closed) containers")
        record(.truncated, at: { _ in path }, detail: detail.joined(separator: ", "))
        while frames.count > 1 {
            let frame = frames.removeLast()
            attach(frame.value)
        }
        return frames.removeLast().value
    }

    /// Consumes the closing byte of the innermost container; the root once it closes.
    private mutating func closeContainer(afterComma: Bool) -> JSONValue? {
        if afterComma { record(.trailingComma, at: { $0.containerPointer() }) }
        position += 1
        let frame = frames.removeLast()
        if frames.isEmpty { return frame.value }
        attach(frame.value)
        return nil
    }

    private mutating func open(isObject: Bool) throws(Failure) {
        guard frames.count < maximumDepth else {
            throw Failure(offset: position, message: "nesting deeper than \(maximumDepth) levels", isFatal: true)
        }
        frames.append(Frame(isObject: isObject, component: currentComponent))
        position += 1
    }

    /// Adds a finished value to the innermost container.
    private mutating func attach(_ value: JSONValue) {
        let top = frames.count - 1
        if frames[top].isObject {
            let key = frames[top].key ?? ""
            frames[top].key = nil
            frames[top].keyMark = nil
            // The first of duplicate keys wins, as with JSONDecoder, so that strict JSON reads the same.
            if frames[top].members[key] == nil { frames[top].members[key] = value }
        } else {
            frames[top].elements.append(value)
        }
    }

    func failure(_ message: String) -> Failure { Failure(offset: position, message: message) }
}

extension TolerantJSONParser {
    var mark: Mark { Mark(listed: repairs.count, unlisted: unlistedRepairs) }

    mutating func rewind(to mark: Mark) {
        repairs.removeSubrange(mark.listed...)
        unlistedRepairs = mark.unlisted
    }

    /// Lists a repair, or counts it past the limit. The path is only built when listed, so that a
    /// flood of repairs deep in a document costs no pointer building each.
    mutating func record(_ kind: JSONRepair.Kind, at path: (Self) -> String, detail: String = "") {
        guard repairs.count < repairListLimit || kind == .truncated else {
            unlistedRepairs += 1
            return
        }
        repairs.append(JSONRepair(kind: kind, path: path(self), detail: detail))
    }

    /// Notes on the repairs since `mark` that they belong to the `ordinal`-th top-level value.
    mutating func attribute(since mark: Mark, toValue ordinal: Int) {
        for index in mark.listed..<repairs.count {
            let place = "in top-level value \(ordinal)"
            repairs[index].detail = repairs[index].detail.isEmpty ? place : "\(repairs[index].detail), \(place)"
        }
    }

    /// Forgets every repair, for a new region of the answer.
    mutating func resetRepairs() {
        repairs.removeAll()
        unlistedRepairs = 0
    }
}
