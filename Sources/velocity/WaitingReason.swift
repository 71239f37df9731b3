/// Why a job or a batch waits, as the gateway says it, with what the user can do about it.
///
/// `--wait` prints it once each time it changes, on stderr, with or without a progress bar:
/// a wait for capacity that is not there must never look like a hang.
struct WaitingReason: Equatable {
    let text: String

    /// The reason with the command that ends the wait, when one does.
    var withHint: String {
        if text.contains("no llm capacity") {
            return text + " — `velocity mode split` or `velocity mode llm` gives it some"
        }
        if text.contains("no media capacity") {
            return text + " — `velocity mode split` or `velocity mode media` gives it some"
        }
        if text.contains("no GPU box") { return text + " — start a box agent (`velocity agent`, or `velocity dev`)" }
        return text
    }

    /// Prints `reason` when it differs from `last` (a rate limit's countdown to its next slot
    /// is not a change); returns it as the new last one.
    static func report(_ reason: String?, subject: String, after last: String?) -> String? {
        if let reason, stable(reason) != last.map(stable) {
            Terminal.note("\(subject) \(WaitingReason(text: reason).withHint)")
        }
        return reason
    }

    private static func stable(_ text: String) -> Substring {
        text.range(of: ", next slot in ").map { text[..<$0.lowerBound] } ?? text[...]
    }
}
