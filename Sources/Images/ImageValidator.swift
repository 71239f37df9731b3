/// An image format the gateway accepts.
public enum ImageFormat: String, Sendable, Codable, CaseIterable {
    case png, jpeg, webp

    /// The file extension blobs of this format are stored with.
    public var fileExtension: String {
        switch self {
        case .png: "png"
        case .jpeg: "jpg"
        case .webp: "webp"
        }
    }

    public var mediaType: String { "image/\(rawValue)" }

    /// The format `bytes` claim by their magic bytes, whatever the client said; nil for
    /// anything else (GIF, HEIC, text, …).
    public static func sniff(_ bytes: some Collection<UInt8>) -> ImageFormat? {
        let head = Array(bytes.prefix(12))
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if head.count == 12, head.starts(with: Array("RIFF".utf8)), Array(head[8..<12]) == Array("WEBP".utf8) {
            return .webp
        }
        return nil
    }
}

/// An upload that passed validation: what it is and how large.
public struct ValidatedImage: Sendable, Equatable, Codable {
    public var format: ImageFormat
    public var width: Int
    public var height: Int
    public var bytes: Int

    public init(format: ImageFormat, width: Int, height: Int, bytes: Int) {
        self.format = format
        self.width = width
        self.height = height
        self.bytes = bytes
    }
}

/// Validates an uploaded image of any accepted format: detects the format by magic bytes,
/// then PNG is decoded with libpng, JPEG and WebP are checked by structure, all under the
/// same dimension limits.
public struct ImageValidator: Sendable {
    public let limits: ImageLimits

    public init(limits: ImageLimits = ImageLimits()) {
        self.limits = limits
    }

    /// Throws `UploadError`: `unsupported_media_type` (415) for anything that is not a
    /// well-formed PNG, JPEG or WebP, `image_too_large` (413) past the limits.
    ///
    /// Decoding a PNG is CPU work proportional to its pixels: call this from a thread pool
    /// (`NIOThreadPool.runIfActive`), not from the cooperative pool.
    public func validate(_ data: [UInt8]) throws(UploadError) -> ValidatedImage {
        guard let format = ImageFormat.sniff(data) else {
            throw UploadError(
                .unsupportedMediaType,
                data.isEmpty ? "the image is empty" : "the image is not a PNG, JPEG or WebP file (judged by its content)")
        }
        switch format {
        case .png:
            let image: PNGValidator.Image
            do {
                image = try PNGValidator(limits: limits).validate(data)
            } catch let error as UploadError {
                throw error
            } catch {
                throw UploadError(.unsupportedMediaType, "not a readable PNG: \(error)")
            }
            return ValidatedImage(format: .png, width: image.width, height: image.height, bytes: data.count)
        case .jpeg:
            let image = try JPEGValidator(limits: limits).validate(data)
            return ValidatedImage(format: .jpeg, width: image.width, height: image.height, bytes: data.count)
        case .webp:
            let image = try WebPValidator(limits: limits).validate(data)
            return ValidatedImage(format: .webp, width: image.width, height: image.height, bytes: data.count)
        }
    }
}
