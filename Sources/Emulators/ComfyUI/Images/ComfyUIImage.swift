public import Images

/// One image as a ComfyUI `IMAGE` tensor holds it: RGB, float32 in 0…1, rows top to bottom.
/// Conversions to and from 8-bit follow ComfyUI's own (`np.array(i) / 255.0` on load,
/// `np.clip(255. * i, 0, 255).astype(np.uint8)` on save), so values round-trip as they do there.
public struct ComfyUIImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// `width * height * 3` values.
    public var values: [Float]

    public init(width: Int, height: Int, values: [Float]) {
        precondition(values.count == width * height * 3, "an IMAGE holds 3 floats per pixel")
        self.width = width
        self.height = height
        self.values = values
    }

    /// From 8-bit pixels (RGB or RGBA; alpha is dropped as PIL's `convert("RGB")` does).
    public init(pixels: PNGCodec.Pixels) {
        var values = [Float](repeating: 0, count: pixels.width * pixels.height * 3)
        for index in 0..<pixels.width * pixels.height {
            for channel in 0..<3 {
                values[index * 3 + channel] = Float(pixels.bytes[index * pixels.channels + channel]) / 255.0
            }
        }
        self.init(width: pixels.width, height: pixels.height, values: values)
    }

    /// The 8-bit RGB pixels SaveImage writes.
    public var pixels: PNGCodec.Pixels {
        PNGCodec.Pixels(width: width, height: height, channels: 3, bytes: values.map(Self.byte))
    }

    /// ComfyUI's float → byte conversion: scale, clip, truncate.
    public static func byte(_ value: Float) -> UInt8 {
        let scaled = 255.0 * value
        guard scaled.isFinite else { return scaled > 0 ? 255 : 0 }
        return UInt8(min(max(scaled, 0), 255))
    }

    func value(x: Int, y: Int, channel: Int) -> Float {
        values[(y * width + x) * 3 + channel]
    }
}
