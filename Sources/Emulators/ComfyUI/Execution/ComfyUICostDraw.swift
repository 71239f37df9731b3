import Foundation

/// The emulator's seeded draws of what a render costs: the same seed gives the same render
/// time and output size on every emulator, in every run, so two workers compared on one job
/// list face the same work.
struct ComfyUICostDraw {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed ^ 0x9E37_79B9_7F4A_7C15
    }

    /// Seeded by a file's bytes (FNV-1a of its first 4 KiB and its length).
    init(bytes: [UInt8]) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes.prefix(4_096) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        self.init(seed: hash ^ UInt64(bytes.count))
    }

    /// splitmix64.
    private mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    private mutating func unit() -> Double {
        (Double(next() >> 11) + 0.5) / Double(1 << 53)
    }

    /// A log-normal factor of median 1 (Box-Muller); 1 when `sigma` is 0. The first draw of
    /// the seed, whatever else is drawn.
    func renderFactor(sigma: Double) -> Double {
        guard sigma > 0 else { return 1 }
        var draw = self
        let z = (-2 * Foundation.log(draw.unit())).squareRoot() * Foundation.cos(2 * Double.pi * draw.unit())
        return Foundation.exp(sigma * z)
    }

    /// Uniform in `range`; the first draw of the seed.
    func size(in range: ClosedRange<Int>) -> Int {
        var draw = self
        return range.lowerBound + Int(draw.next() % UInt64(range.count))
    }
}
