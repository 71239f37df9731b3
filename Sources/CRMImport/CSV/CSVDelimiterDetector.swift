/// Picks the delimiter of a file from the records at its start.
///
/// For each candidate the first records are split the way the parser would (quotes open only
/// at a field's start; blank lines skipped); the header must split into more than one column,
/// and the candidate whose following records most often have the header's column count wins
/// (then the one with more columns, then the order of `CSVDelimiter.allCases`).
enum CSVDelimiterDetector {
    /// Bytes at the start of the file the detection reads.
    static let windowSize = 64 * 1024
    /// Records after the header whose column counts are compared.
    static let sampleRecords = 10

    /// The delimiter of the UTF-8 (or ASCII-compatible) bytes `prefix`, or nil while the prefix
    /// holds too few records to decide and more bytes may come (`isComplete` false and fewer
    /// than `windowSize` bytes). The answer does not depend on how much more than needed the
    /// prefix holds, so a stream decides the same whatever its chunk sizes.
    static func detect(_ prefix: UnsafeBufferPointer<UInt8>, isComplete: Bool) -> CSVDelimiter? {
        let windowFull = prefix.count >= windowSize
        let window = UnsafeBufferPointer(rebasing: prefix[0..<min(prefix.count, windowSize)])
        let atEnd = isComplete && !windowFull
        var best: (delimiter: CSVDelimiter, consistency: Double, columns: Int)?
        for candidate in CSVDelimiter.allCases {
            let counts = columnCounts(window, delimiter: candidate.byte, includesUnterminated: atEnd)
            if counts.count < sampleRecords + 1 && !atEnd && !windowFull { return nil }
            guard let columns = counts.first, columns > 1 else { continue }
            let rows = counts.dropFirst()
            let consistent = rows.lazy.filter { $0 == columns }.count
            let consistency = rows.isEmpty ? 1 : Double(consistent) / Double(rows.count)
            if let current = best,
                current.consistency > consistency || (current.consistency == consistency && current.columns >= columns)
            {
                continue
            }
            best = (candidate, consistency, columns)
        }
        return best?.delimiter ?? .comma
    }

    /// The column counts of the first `sampleRecords + 1` non-blank records ending in `bytes`
    /// (and of a last record without a line break when `includesUnterminated`).
    static func columnCounts(_ bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8, includesUnterminated: Bool) -> [Int] {
        let quote = UInt8(ascii: "\"")
        var counts: [Int] = []
        var state = CSVFieldState.fieldStart
        var columns = 1
        var hasContent = false
        for byte in bytes {
            switch state {
            case .quoted:
                if byte == quote { state = .quotedQuote }
                continue
            case .quotedQuote:
                if byte == quote {
                    state = .quoted
                    continue
                }
            case .fieldStart:
                if byte == quote {
                    state = .quoted
                    hasContent = true
                    continue
                }
            case .unquoted:
                break
            }
            switch byte {
            case delimiter:
                columns += 1
                hasContent = true
                state = .fieldStart
            case 0x0A, 0x0D:
                if hasContent {
                    counts.append(columns)
                    if counts.count > sampleRecords { return counts }
                }
                columns = 1
                hasContent = false
                state = .fieldStart
            case 0x20, 0x09:
                state = .unquoted
            default:
                hasContent = true
                state = .unquoted
            }
        }
        if includesUnterminated && hasContent { counts.append(columns) }
        return counts
    }
}
