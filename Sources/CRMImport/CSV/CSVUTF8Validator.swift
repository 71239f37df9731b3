/// An incremental UTF-8 check over a stream cut into chunks anywhere, even inside a character.
///
/// Each ill-formed sequence counts once, at the offset of its first byte (the "maximal subpart"
/// practice of Unicode, as `String(decoding:as:)` repairs it), so that the parser can tell which
/// record holds the bytes that will read as U+FFFD.
struct CSVUTF8Validator: Sendable {
    /// Continuation bytes still expected by the sequence in progress.
    private var pending = 0
    /// The range the next continuation byte must fall in (narrower after E0, ED, F0, F4).
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF
    private var sequenceStart: Int64 = 0
    /// Bytes validated so far.
    private(set) var offset: Int64 = 0
    private(set) var errorCount = 0

    /// Checks `bytes`, the next part of the stream, appending the stream offset of each
    /// ill-formed sequence that ends in it to `errors`.
    mutating func validate(_ bytes: UnsafeBufferPointer<UInt8>, into errors: inout [Int64]) {
        guard let base = bytes.baseAddress else { return }
        let count = bytes.count
        var index = 0
        while index < count {
            if pending == 0 {
                index = Self.skipASCII(base, from: index, count: count)
                guard index < count else { break }
                startSequence(base[index], at: offset + Int64(index), errors: &errors)
                index += 1
            } else {
                let byte = base[index]
                if byte >= lower && byte <= upper {
                    pending -= 1
                    lower = 0x80
                    upper = 0xBF
                    index += 1
                } else {
                    // The sequence broke off: report it and read this byte afresh as a lead byte.
                    fail(at: sequenceStart, errors: &errors)
                }
            }
        }
        offset += Int64(count)
    }

    /// Reports a sequence the stream ended inside.
    mutating func finish(into errors: inout [Int64]) {
        if pending > 0 { fail(at: sequenceStart, errors: &errors) }
    }

    private mutating func startSequence(_ byte: UInt8, at position: Int64, errors: inout [Int64]) {
        sequenceStart = position
        switch byte {
        case 0xC2...0xDF: pending = 1
        case 0xE0: pending = 2; lower = 0xA0
        case 0xED: pending = 2; upper = 0x9F
        case 0xE1...0xEC, 0xEE...0xEF: pending = 2
        case 0xF0: pending = 3; lower = 0x90
        case 0xF1...0xF3: pending = 3
        case 0xF4: pending = 3; upper = 0x8F
        default: fail(at: position, errors: &errors)
        }
    }

    private mutating func fail(at position: Int64, errors: inout [Int64]) {
        errorCount += 1
        errors.append(position)
        pending = 0
        lower = 0x80
        upper = 0xBF
    }

    /// The index of the first non-ASCII byte at or after `index`, eight bytes at a time.
    @inline(__always)
    static func skipASCII(_ base: UnsafePointer<UInt8>, from index: Int, count: Int) -> Int {
        var index = index
        let raw = UnsafeRawPointer(base)
        while index + 8 <= count {
            if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
            index += 8
        }
        while index < count && base[index] < 0x80 { index += 1 }
        return index
    }
}
