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
        var random = SystemRandomNumberGenerator()
        let high = milliseconds << 16 | 0x7000 | UInt64(sequence)
        let low = random.next() & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000
        return format(high: high, low: low)
    }

    /// The least id of a job made at `date` or later: ids sort by creation, so `id >= floor`
    /// selects the jobs made since then.
    public static func floor(of date: Date) -> String {
        let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        return format(high: milliseconds << 16 | 0x7000, low: 0x8000_0000_0000_0000)
    }

    /// Whether `text` is a lowercase hyphenated UUID, the only form job ids take.
    public static func isValid(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard utf8.count == 36 else { return false }
        for (i, c) in utf8.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if c != UInt8(ascii: "-") { return false }
            } else if !((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66)) {
                return false
            }
        }
        return true
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private static func format(high: UInt64, low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 36) { buffer in
            var i = 0
            func put(_ value: UInt64, nibbles: Int) {
                for shift in stride(from: (nibbles - 1) * 4, through: 0, by: -4) {
                    if i == 8 || i == 13 || i == 18 || i == 23 {
                        buffer[i] = UInt8(ascii: "-")
                        i += 1
                    }
                    buffer[i] = hex[Int((value >> UInt64(shift)) & 0xF)]
                    i += 1
                }
            }
            put(high, nibbles: 16)
            put(low, nibbles: 16)
            return i
        }
    }
}
