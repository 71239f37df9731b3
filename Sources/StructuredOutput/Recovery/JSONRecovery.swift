import VelocityTypes

/// Recovers the JSON value from the answer of a language model that was asked for JSON.
///
/// Strict JSON reads exactly as `JSONValue(parsing:)` reads it. Beyond that, recovery takes what
/// models get wrong: a Markdown code fence or prose around the JSON, trailing commas, single
/// quotes, unquoted keys, comments, `NaN` / `Infinity` and Python's `True` / `False` / `None`, raw
/// control characters in strings, several top-level values in a row, and an answer cut off inside
/// the value. Every repair is reported, and no value is ever invented: a cut-off member is
/// dropped, not completed, and a non-finite number becomes `null` so that a schema that wants a
/// number refuses it.
///
/// Where the value is: the whole answer when it is JSON and nothing else (whitespace, comments and
/// further values aside); else the first fenced block whose content holds a value (blocks labelled
/// `json` or unlabelled first), since a fence marks what the model meant as the code; else the
/// first `{` or `[` in the text that starts a value that parses. A lone string, number or literal
/// counts only when it is all the region holds.
///
/// Decisions where JSON or models leave room:
/// - A number beyond a Double's range (`1e400`) is valid JSON but no value a consumer can use: it
///   is read as `null`, reported as `nonFiniteNumber`, like `NaN`.
/// - Numbers read as `JSONValue(parsing:)` reads them (see `JSONNumberReading`), and the first of
///   duplicate keys wins, as with JSONDecoder.
/// - Top-level values must follow one another with only whitespace or comments between; after
///   a comma or prose the rest is surrounding text.
/// - A number that runs into the end of the text inside a container is dropped, since digits may
///   be missing; a lone top-level one is kept unless `truncated` says the answer was cut.
///
/// The parser is a scanner over UTF-8 with an explicit stack: time is linear in the answer's length
/// and nesting is limited to `maximumDepth`, never the thread's stack.
public enum JSONRecovery {
    /// How deeply arrays and objects may nest; deeper answers are refused.
    public static let maximumDepth = 512
    /// How many repairs inside the value are listed; the rest are counted. A truncation is always
    /// listed.
    public static let repairListLimit = 100

    /// The JSON value in `text`, with every repair it took.
    ///
    /// - Parameters:
    ///   - text: The model's answer as received.
    ///   - truncated: Whether the server stopped the answer for length (`finish_reason ==
    ///     "length"`). An answer that ends inside the value is recovered either way; this also
    ///     refuses a lone top-level number that runs into the end, since its last digits may be lost.
    /// - Throws: `JSONRecoveryError` when the text holds no recoverable value (an empty answer,
    ///   prose alone) or nests deeper than `maximumDepth`.
    public static func recover(_ text: String, truncated: Bool = false) throws(JSONRecoveryError) -> RecoveredJSON {
        let bytes = Array(text.utf8)
        // JSONDecoder skips a byte-order mark, so recovery does too.
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let whole = start..<bytes.count
        guard !CodeFence.trimmed(bytes, whole).isEmpty else {
            throw JSONRecoveryError(message: "the answer is empty", offset: 0)
        }
        var scanner = AnswerScanner(
            bytes: bytes, truncated: truncated, maximumDepth: maximumDepth, repairListLimit: repairListLimit)
        if let match = try scanner.match(in: whole, alone: true) { return result(of: match) }
        let fences = CodeFence.blocks(in: bytes, from: start)
        for fence in fences.filter(\.isJSONLabelled) + fences.filter({ !$0.isJSONLabelled }) {
            guard var match = try scanner.match(in: fence.content, alone: false) else { continue }
            match.textBefore = match.textBefore || !CodeFence.trimmed(bytes, start..<fence.whole.lowerBound).isEmpty
            match.textAfter = match.textAfter || !CodeFence.trimmed(bytes, fence.whole.upperBound..<bytes.count).isEmpty
            let detail = fence.isClosed ? "\(fence.opener) block" : "\(fence.opener) block never closed"
            return result(of: match, fence: JSONRepair(kind: .codeFence, detail: detail))
        }
        if let match = try scanner.match(in: whole, alone: false) { return result(of: match) }
        throw scanner.error
    }

    private static func result(of match: AnswerScanner.Match, fence: JSONRepair? = nil) -> RecoveredJSON {
        var repairs: [JSONRepair] = fence.map { [$0] } ?? []
        let around: String? =
            switch (match.textBefore, match.textAfter) {
            case (true, true): "text before and after the JSON"
            case (true, false): "text before the JSON"
            case (false, true): "text after the JSON"
            case (false, false): nil
            }
        if let around { repairs.append(JSONRepair(kind: .surroundingText, detail: around)) }
        let extra = match.additionalValues.count
        if extra > 0 {
            let detail = extra == 1 ? "1 more top-level value" : "\(extra) more top-level values"
            repairs.append(JSONRepair(kind: .additionalValues, detail: detail))
        }
        return RecoveredJSON(
            value: match.value, additionalValues: match.additionalValues, repairs: repairs + match.repairs,
            unlistedRepairCount: match.unlistedRepairs)
    }
}
