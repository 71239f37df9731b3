public import Foundation
import Synchronization

/// Time-sortable job ids: UUIDv7 (48-bit Unix milliseconds, a 12-bit sequence, then random
/// bits), lowercase and hyphenated, so they sort by creation and double as a ComfyUI `prompt_id`.
///
/// Within one process the ids are strictly increasing (RFC 9562's monotonic counter in
/// `rand_a`), so jobs enqueued in one bulk call with equal priority keep their order.
public enum JobID {
    private static let last = Mutex<(milliseconds: UInt64, sequence: UInt16)>((0, 0))

    public static func make(now: Date = Date()) -> String {
        var bytes = UUID().uuid
        let (milliseconds, sequence) = last.withLock { last -> (UInt64, UInt16) in
            var ms = UInt64(max(0, now.timeIntervalSince1970 * 1000))
            if ms <= last.milliseconds {
                if last.sequence < 0x0FFF {
                    last.sequence += 1
                } else {
                    // 4,096 ids in one millisecond: borrow the next one.
                    last.milliseconds += 1
                    last.sequence = 0
                }
                ms = last.milliseconds
            } else {
                last = (ms, 0)
            }
            return (ms, last.sequence)
        }
        bytes.0 = UInt8(truncatingIfNeeded: milliseconds >> 40)
        bytes.1 = UInt8(truncatingIfNeeded: milliseconds >> 32)
        bytes.2 = UInt8(truncatingIfNeeded: milliseconds >> 24)
        bytes.3 = UInt8(truncatingIfNeeded: milliseconds >> 16)
        bytes.4 = UInt8(truncatingIfNeeded: milliseconds >> 8)
        bytes.5 = UInt8(truncatingIfNeeded: milliseconds)
        bytes.6 = 0x70 | UInt8(sequence >> 8)
        bytes.7 = UInt8(truncatingIfNeeded: sequence)
        bytes.8 = (bytes.8 & 0x3F) | 0x80
        return UUID(uuid: bytes).uuidString.lowercased()
    }

    /// Whether `text` is a lowercase hyphenated UUID, the only form job ids take.
    public static func isValid(_ text: String) -> Bool {
        guard text.utf8.count == 36, let uuid = UUID(uuidString: text) else { return false }
        return uuid.uuidString.lowercased() == text
    }
}
