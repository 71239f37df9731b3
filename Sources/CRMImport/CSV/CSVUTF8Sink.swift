/// Writes Unicode scalars as UTF-8 into memory the transcoder sized for the worst case.
struct CSVUTF8Sink {
    let base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0

    init(base: UnsafeMutablePointer<UInt8>) {
        self.base = base
    }

    @inline(__always)
    mutating func put(byte: UInt8) {
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func put(_ scalar: UInt32) {
        if scalar < 0x80 {
            base[count] = UInt8(truncatingIfNeeded: scalar)
            count += 1
        } else if scalar < 0x800 {
            base[count] = UInt8(truncatingIfNeeded: 0xC0 | scalar >> 6)
            base[count + 1] = UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F)
            count += 2
        } else if scalar < 0x10000 {
            base[count] = UInt8(truncatingIfNeeded: 0xE0 | scalar >> 12)
            base[count + 1] = UInt8(truncatingIfNeeded: 0x80 | scalar >> 6 & 0x3F)
            base[count + 2] = UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F)
            count += 3
        } else {
            base[count] = UInt8(truncatingIfNeeded: 0xF0 | scalar >> 18)
            base[count + 1] = UInt8(truncatingIfNeeded: 0x80 | scalar >> 12 & 0x3F)
            base[count + 2] = UInt8(truncatingIfNeeded: 0x80 | scalar >> 6 & 0x3F)
            base[count + 3] = UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F)
            count += 4
        }
    }
}
