import Images

extension FuzzTarget {
    static func images(_ bytes: [UInt8]) {
        // Small limits, so the fuzzer's inputs reach the size checks and decoding stays fast.
        var limits = ImageLimits()
        limits.maxWidth = 512
        limits.maxHeight = 512
        limits.maxPixels = 65_536
        guard let image = try? ImageValidator(limits: limits).validate(bytes) else { return }
        check(image.width > 0 && image.height > 0, "an accepted image of \(image.width)×\(image.height)")
        check(image.width <= 512 && image.height <= 512 && image.width * image.height <= 65_536, "past the limits")
        check(image.bytes == bytes.count, "\(image.bytes) bytes reported of \(bytes.count)")
        check(ImageFormat.sniff(bytes) == image.format, "a \(image.format) not sniffed as one")
    }
}
