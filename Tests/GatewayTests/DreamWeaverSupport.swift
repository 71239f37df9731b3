import Foundation
import HTTPTypes
import NIOCore

/// A `multipart/form-data` body built by hand, as browsers send it.
struct MultipartBody {
    let boundary = "----VelocityTestBoundary\(UUID().uuidString.prefix(8))"
    private(set) var bytes: [UInt8] = []

    mutating func field(_ name: String, _ value: String) {
        bytes += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
    }

    mutating func file(_ name: String, filename: String = "room.png", type: String = "image/png", _ data: [UInt8]) {
        bytes += Array(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: \(type)\r\n\r\n"
                .utf8)
        bytes += data + Array("\r\n".utf8)
    }

    /// The body with its closing delimiter.
    var buffer: ByteBuffer { ByteBuffer(bytes: bytes + Array("--\(boundary)--\r\n".utf8)) }

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// A Dream Weaver upload: `image` plus the text fields given (nil leaves one out).
    static func dreamWeaver(
        image: [UInt8]?, filename: String = "room.png", roomType: String? = "living_room",
        style: String? = "warm scandinavian", seed: String? = nil
    ) -> MultipartBody {
        var body = MultipartBody()
        if let roomType { body.field("room_type", roomType) }
        if let style { body.field("style", style) }
        if let seed { body.field("seed", seed) }
        if let image { body.file("image", filename: filename, image) }
        return body
    }
}

extension GatewayFixture {
    /// Headers for a multipart upload by `token`.
    static func multipart(_ token: String, _ body: MultipartBody, _ extra: HTTPFields = [:]) -> HTTPFields {
        auth(token, [.contentType: body.contentType] + extra)
    }

    /// Files left in the blob store's staging directory.
    func stagedFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: blobRoot.appendingPathComponent(".staging").path)
    }
}
