import CurlClient
import Foundation
import VelocityTypes

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A one-line progress display on stderr, redrawn in place; drawn only when stderr is a
/// terminal and the output is not `--json`, so scripts and logs never see it.
final class ProgressBar {
    let isEnabled: Bool
    private let start = ContinuousClock.now
    private var drawn = false
    private var last: ProgressLine?

    init(enabled: Bool = true) {
        isEnabled = enabled && isatty(2) == 1
    }

    var elapsedSeconds: Double {
        let elapsed = ContinuousClock.now - start
        return elapsed.inSeconds
    }

    func update(fraction: Double?, status: String, message: String?) {
        guard isEnabled else { return }
        let line = ProgressLine(fraction: fraction, status: status, message: message, elapsedSeconds: elapsedSeconds)
        last = line
        draw(line)
    }

    /// Draws the last state once more and ends the line.
    func finish() {
        guard isEnabled, drawn else { return }
        if var line = last {
            line.elapsedSeconds = elapsedSeconds
            draw(line)
        }
        FileHandle.standardError.write(Data("\n".utf8))
        drawn = false
    }

    private func draw(_ line: ProgressLine) {
        // `\r` back to the start, then clear what a longer earlier line left.
        FileHandle.standardError.write(Data("\r\(line.rendered())\u{1B}[K".utf8))
        drawn = true
    }
}
