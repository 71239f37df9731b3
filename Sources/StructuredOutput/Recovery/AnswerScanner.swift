import VelocityTypes

/// Finds the JSON value in a region of a model's answer (the whole text, or a fenced block's
/// content): the value the region starts with, else the first `{` or `[` that starts a value
/// that parses; then the top-level values that follow it.
struct AnswerScanner {
    /// What a region held.
    struct Match {
        var value: JSONValue
        var additionalValues: [JSONValue]
        var repairs: [JSONRepair]
        var unlistedRepairs: Int
        var textBefore: Bool
        var textAfter: Bool
    }

    private var parser: TolerantJSONParser
    /// The first failure at a `{` or `[`: the likeliest reason when nothing is found.
    private var containerFailure: TolerantJSONParser.Failure?
    /// The first failure of a region that starts like a string or a number.
    private var scalarFailure: TolerantJSONParser.Failure?
    private var lastFailureOffset = 0
    /// Bytes read by attempts that failed. Restarting at the next `{` after a failed one reads
    /// nested failures again; past the budget the search restarts after the failure instead,
    /// which keeps the whole search linear.
    private var failedWork = 0
    private let workBudget: Int

    init(bytes: [UInt8], truncated: Bool, maximumDepth: Int, repairListLimit: Int) {
        parser = TolerantJSONParser(
            bytes: bytes, truncated: truncated, maximumDepth: maximumDepth, repairListLimit: repairListLimit)
        workBudget = 2 * bytes.count + 65_536
    }

    /// The value in `range`. When `alone`, only a value that starts the region and is followed by
    /// nothing but further values: an answer that is JSON and nothing else.
    mutating func match(in range: Range<Int>, alone: Bool) throws(JSONRecoveryError) -> Match? {
        parser.resetRepairs()
        parser.end = range.upperBound
        parser.position = range.lowerBound
        parser.skipTrivia()
        let first = parser.position
        guard first < range.upperBound else { return nil }
        if let match = try attempt(at: first), !(alone && match.textAfter) { return match }
        guard !alone else { return nil }
        var next = first + 1
        while let candidate = parser.bytes[next..<range.upperBound].firstIndex(where: ASCII.isContainerStart) {
            // Comments before the candidate are part of the text before it.
            parser.resetRepairs()
            if var match = try attempt(at: candidate) {
                match.textBefore = true
                return match
            }
            next = failedWork <= workBudget ? candidate + 1 : max(candidate + 1, lastFailureOffset)
        }
        return nil
    }

    /// Why nothing was found, after every region failed.
    var error: JSONRecoveryError {
        guard let failure = containerFailure ?? scalarFailure else {
            return JSONRecoveryError(message: "the answer holds no JSON value", offset: 0)
        }
        return JSONRecoveryError(message: "no JSON value could be read: \(failure.message)", offset: failure.offset)
    }

    /// The value starting at `start` and what follows it, or nil when none parses there.
    private mutating func attempt(at start: Int) throws(JSONRecoveryError) -> Match? {
        let bytes = parser.bytes
        let isContainer = ASCII.isContainerStart(bytes[start])
        let mark = parser.mark
        parser.position = start
        let value: JSONValue
        do {
            value = try parser.parseValue()
        } catch {
            if error.isFatal { throw JSONRecoveryError(message: error.message, offset: error.offset) }
            parser.rewind(to: mark)
            noteFailure(error, at: start, isContainer: isContainer)
            return nil
        }
        parser.skipTrivia()
        guard isContainer else {
            // A lone string, number or literal is the value only when it is all there is.
            guard parser.position == parser.end else {
                parser.rewind(to: mark)
                failedWork += parser.position - start
                return nil
            }
            return Match(
                value: value, additionalValues: [], repairs: parser.repairs, unlistedRepairs: parser.unlistedRepairs,
                textBefore: false, textAfter: false)
        }
        var additionalValues: [JSONValue] = []
        var textAfter = false
        while parser.position < parser.end {
            let next = parser.position
            guard ASCII.isContainerStart(bytes[next]) else {
                textAfter = true
                break
            }
            let before = parser.mark
            do {
                additionalValues.append(try parser.parseValue())
                parser.attribute(since: before, toValue: additionalValues.count + 1)
                parser.skipTrivia()
            } catch {
                if error.isFatal { throw JSONRecoveryError(message: error.message, offset: error.offset) }
                parser.rewind(to: before)
                textAfter = true
                break
            }
        }
        return Match(
            value: value, additionalValues: additionalValues, repairs: parser.repairs,
            unlistedRepairs: parser.unlistedRepairs, textBefore: false, textAfter: textAfter)
    }

    private mutating func noteFailure(_ failure: TolerantJSONParser.Failure, at start: Int, isContainer: Bool) {
        failedWork += max(failure.offset - start, 1)
        lastFailureOffset = failure.offset
        let byte = parser.bytes[start]
        if isContainer {
            if containerFailure == nil { containerFailure = failure }
        } else if byte == ASCII.quote || byte == ASCII.minus || ASCII.isDigit(byte), scalarFailure == nil {
            scalarFailure = failure
        }
    }
}
