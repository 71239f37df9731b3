import Foundation

/// The emulator's seeded draws of what a render costs: the same seed gives the same render
/// time and output size on every emulator, in every run, so two workers compared on one job
/// list face the same work. Each draw is the first of its seed's sequence.
struct ComfyUICostDraw {
    private let seed: UInt64

    init(seed: UInt64) {
        self.seed = seed
    }

    /// Seeded by a file's bytes (FNV-1a of its first 4 KiB, and its length).
    init(bytes: [UInt8]) {
        self.init(seed: SplitMix64.fnv1a(bytes.prefix(4_096)) ^ UInt64(bytes.count))
    }

    /// A log-normal factor of median 1 (Box-Muller); 1 when `sigma` is 0.
    func renderFactor(sigma: Double) -> Double {
        guard sigma > 0 else { return 1 }
        var draw = SplitMix64(seed: seed)
        let z = (-2 * Foundation.log(draw.unit())).squareRoot() * Foundation.cos(2 * Double.pi * draw.unit())
        return Foundation.exp(sigma * z)
    }

    /// Uniform in `range`.
    func size(in range: ClosedRange<Int>) -> Int {
        var draw = SplitMix64(seed: seed)
        return range.lowerBound + Int(draw.next() % UInt64(range.count))
    }
}
