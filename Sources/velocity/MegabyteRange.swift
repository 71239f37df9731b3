import ArgumentParser

/// A size range given in MB on the command line (`2-6`), as the byte range the emulator and the
/// benches take; one refusal for every option that reads one.
enum MegabyteRange {
    static func bytes(_ text: String, option: String) throws -> ClosedRange<Int> {
        let bounds = text.split(separator: "-", omittingEmptySubsequences: false).map { Double($0) }
        guard bounds.count == 2, let low = bounds[0], let high = bounds[1], low > 0, low <= high, high <= 100 else {
            throw ValidationError("\(option) must be a range of MB like 2-6 (0 < low <= high <= 100), not '\(text)'")
        }
        return Int(low * 1_000_000)...Int(high * 1_000_000)
    }
}
