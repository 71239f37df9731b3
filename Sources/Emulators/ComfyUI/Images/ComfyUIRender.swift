public import Images

/// The emulator's stand-in for diffusion: what its KSampler does to the image its latent
/// carries. Deterministic and stated here exactly, so tests can compute the pixels a
/// workflow must produce.
///
/// For every pixel channel value `v` (0…255) and the seed's tint channel `t`:
///
///     target = ((255 − v) × 3 + t) / 4                       (integer division)
///     w      = round(denoise × 256), clamped to 0…256
///     out    = (v × (256 − w) + target × w + 128) >> 8
///
/// so `denoise` 1 gives the inverted image tinted a quarter of the way towards the seed's
/// colour, `denoise` 0 gives the image unchanged. The tint is the seed's three low bytes:
/// `(seed & 0xFF, (seed >> 8) & 0xFF, (seed >> 16) & 0xFF)` as (r, g, b).
///
/// In a workflow the image reaches KSampler through VAEEncode, which (like ComfyUI's) crops
/// it to multiples of 8 around the centre (`vaeCrop`), and leaves through VAEDecode and
/// SaveImage as an RGB PNG: `expectedOutput` chains the three.
public enum ComfyUIRender {
    /// The colour a seed tints towards.
    public static func tint(seed: UInt64) -> (red: UInt8, green: UInt8, blue: UInt8) {
        (UInt8(truncatingIfNeeded: seed), UInt8(truncatingIfNeeded: seed >> 8), UInt8(truncatingIfNeeded: seed >> 16))
    }

    /// `denoise` as a weight in 256ths.
    public static func weight(denoise: Double) -> Int {
        guard denoise.isFinite else { return denoise > 0 ? 256 : 0 }
        return min(256, max(0, Int((denoise * 256).rounded(.toNearestOrEven))))
    }

    /// One channel value through the transform.
    public static func channel(_ value: UInt8, tint: UInt8, weight: Int) -> UInt8 {
        let v = Int(value)
        let target = ((255 - v) * 3 + Int(tint)) / 4
        return UInt8((v * (256 - weight) + target * weight + 128) >> 8)
    }

    /// The transform applied to 8-bit pixels; an alpha channel passes through unchanged.
    public static func render(_ pixels: PNGCodec.Pixels, seed: UInt64, denoise: Double) -> PNGCodec.Pixels {
        let tint = tint(seed: seed)
        let tints = [tint.red, tint.green, tint.blue]
        let w = weight(denoise: denoise)
        var out = pixels
        for index in 0..<pixels.width * pixels.height {
            for channel in 0..<3 {
                let offset = index * pixels.channels + channel
                out.bytes[offset] = Self.channel(pixels.bytes[offset], tint: tints[channel], weight: w)
            }
        }
        return out
    }

    /// VAEEncode's crop: each side down to a multiple of 8, keeping the centre
    /// (offset `(side % 8) / 2`), as ComfyUI's `vae_encode_crop_pixels` does.
    public static func vaeCrop(_ pixels: PNGCodec.Pixels) -> PNGCodec.Pixels {
        let width = pixels.width / 8 * 8
        let height = pixels.height / 8 * 8
        guard width != pixels.width || height != pixels.height else { return pixels }
        let left = (pixels.width % 8) / 2
        let top = (pixels.height % 8) / 2
        var bytes: [UInt8] = []
        bytes.reserveCapacity(width * height * pixels.channels)
        for y in top..<top + height {
            let start = (y * pixels.width + left) * pixels.channels
            bytes.append(contentsOf: pixels.bytes[start..<start + width * pixels.channels])
        }
        return PNGCodec.Pixels(width: width, height: height, channels: pixels.channels, bytes: bytes)
    }

    /// The RGB pixels SaveImage writes for `input` sent through
    /// LoadImage → VAEEncode → KSampler(seed, denoise) → VAEDecode → SaveImage.
    public static func expectedOutput(for input: PNGCodec.Pixels, seed: UInt64, denoise: Double) -> PNGCodec.Pixels {
        let rgb = ComfyUIImage(pixels: vaeCrop(input)).pixels
        return render(rgb, seed: seed, denoise: denoise)
    }
}
