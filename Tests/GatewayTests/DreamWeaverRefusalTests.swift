import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Images
import NIOCore
import TestSupport
import Testing

/// Every refusal of `POST /dream-weaver` answers the one error shape and stores nothing: no
/// blob committed, nothing left in staging, no job row, no Redis job.
@Suite("Dream Weaver refusals")
struct DreamWeaverRefusalTests {
    struct Refusal: Sendable, CustomTestStringConvertible {
        var name: String
        var contentType: String?
        var body: [UInt8]
        var status: HTTPResponse.Status
        var code: String
        /// `details.field` the error must name, if any.
        var field: String?
        var testDescription: String { name }

        init(_ name: String, _ multipart: MultipartBody, _ status: HTTPResponse.Status, _ code: String, field: String? = nil) {
            self.name = name
            self.contentType = multipart.contentType
            self.body = Array(multipart.buffer.readableBytesView)
            self.status = status
            self.code = code
            self.field = field
        }

        init(_ name: String, contentType: String?, body: [UInt8], _ status: HTTPResponse.Status, _ code: String) {
            self.name = name
            self.contentType = contentType
            self.body = body
            self.status = status
            self.code = code
        }
    }

    static let png = ImageSamples.png(width: 16, height: 16)

    static let refusals: [Refusal] = {
        let jpeg = ImageSamples.jpeg(width: 16, height: 16)
        var garbledJPEG = jpeg
        garbledJPEG[4] = 0x7F  // the DQT segment's length now runs far past the file
        let truncatedBody = Array(MultipartBody.dreamWeaver(image: png).buffer.readableBytesView.dropLast(40))
        // Every part whole, then `--boundary` and nothing: no close delimiter.
        let unclosedBody = Array(MultipartBody.dreamWeaver(image: png).buffer.readableBytesView.dropLast(4))
        func dw(_ image: [UInt8]?, room: String? = "bedroom", style: String? = "japandi", seed: String? = nil) -> MultipartBody {
            .dreamWeaver(image: image, roomType: room, style: style, seed: seed)
        }
        return [
            Refusal(
                "JSON instead of multipart", contentType: "application/json", body: Array(#"{"room_type":"x"}"#.utf8),
                .unsupportedMediaType, "unsupported_media_type"),
            Refusal(
                "no content type", contentType: nil, body: Array("hello".utf8), .unsupportedMediaType, "unsupported_media_type"),
            Refusal(
                "multipart without a boundary", contentType: "multipart/form-data", body: Array("x".utf8), .badRequest,
                "malformed_multipart"),
            Refusal(
                "a body cut before its closing boundary", contentType: MultipartBody.dreamWeaver(image: png).contentType,
                body: truncatedBody, .badRequest, "malformed_multipart"),
            Refusal(
                "a body cut right after its last delimiter", contentType: MultipartBody.dreamWeaver(image: png).contentType,
                body: unclosedBody, .badRequest, "malformed_multipart"),
            Refusal(
                "GIF", dw(Array("GIF89a\u{1}\0\u{1}\0\0\0\0;".utf8)), .unsupportedMediaType, "unsupported_media_type",
                field: "image"),
            Refusal("text", dw(Array("a room, honestly".utf8)), .unsupportedMediaType, "unsupported_media_type", field: "image"),
            Refusal(
                "truncated PNG", dw(Array(png.prefix(png.count - 20))), .unsupportedMediaType, "unsupported_media_type",
                field: "image"),
            Refusal("garbled JPEG", dw(garbledJPEG), .unsupportedMediaType, "unsupported_media_type", field: "image"),
            Refusal(
                "truncated WebP", dw(Array(ImageSamples.webpLossy.dropLast(4))), .unsupportedMediaType, "unsupported_media_type",
                field: "image"),
            Refusal(
                "PNG bomb header 100000×100000", dw(ImageSamples.pngHeaderOnly(width: 100_000, height: 100_000)),
                .contentTooLarge, "image_too_large", field: "image"),
            Refusal("missing image", dw(nil), .unprocessableContent, "invalid_request", field: "image"),
            Refusal("empty image", dw([]), .unprocessableContent, "invalid_request", field: "image"),
            Refusal("missing room_type", dw(png, room: nil), .unprocessableContent, "invalid_request", field: "room_type"),
            Refusal(
                "room_type with spaces and capitals", dw(png, room: "Living Room"), .unprocessableContent, "invalid_request",
                field: "room_type"),
            Refusal(
                "room_type of 41 characters", dw(png, room: String(repeating: "a", count: 41)), .unprocessableContent,
                "invalid_request", field: "room_type"),
            Refusal("missing style", dw(png, style: nil), .unprocessableContent, "invalid_request", field: "style"),
            Refusal("blank style", dw(png, style: "   "), .unprocessableContent, "invalid_request", field: "style"),
            Refusal(
                "style of 201 characters", dw(png, style: String(repeating: "é", count: 201)), .unprocessableContent,
                "invalid_request", field: "style"),
            Refusal("negative seed", dw(png, seed: "-1"), .unprocessableContent, "invalid_request", field: "seed"),
            Refusal("seed past 2^32 - 1", dw(png, seed: "4294967296"), .unprocessableContent, "invalid_request", field: "seed"),
            Refusal("seed that is not a number", dw(png, seed: "lucky"), .unprocessableContent, "invalid_request", field: "seed"),
            Refusal(
                "a workflow the boxes do not render",
                {
                    var body = dw(png)
                    body.field("workflow", "night_vision")
                    return body
                }(), .unprocessableContent, "invalid_request", field: "workflow"),
            Refusal(
                "image sent twice",
                {
                    var body = dw(png)
                    body.file("image", png)
                    return body
                }(), .unprocessableContent, "invalid_request", field: "image"),
        ]
    }()

    static func expectNothingStored(_ fixture: GatewayFixture, _ name: String) async throws {
        let stored = try await fixture.storedSomething()
        #expect(stored.rows == 0, "\(name): job rows")
        #expect(stored.redisJobs == 0, "\(name): Redis jobs")
        #expect(stored.blobs == 0, "\(name): blobs (committed or staged)")
        #expect(try fixture.stagedFiles().isEmpty, "\(name): staging")
    }

    @Test("each refusal answers its status and code, names the field, and stores nothing")
    func refusalsStoreNothing() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            for refusal in Self.refusals {
                var headers = GatewayFixture.auth(fixture.acme)
                if let contentType = refusal.contentType { headers[.contentType] = contentType }
                let response = try await client.execute(
                    uri: "/dream-weaver", method: .post, headers: headers, body: ByteBuffer(bytes: refusal.body))
                #expect(response.status == refusal.status, "\(refusal.name)")
                let error = response.body.json["error"] as? [String: Any]
                #expect(error?["code"] as? String == refusal.code, "\(refusal.name)")
                #expect((error?["message"] as? String)?.isEmpty == false, "\(refusal.name)")
                if let field = refusal.field {
                    #expect((error?["details"] as? [String: String])?["field"] == field, "\(refusal.name)")
                }
                if refusal.code == "image_too_large" {
                    #expect((error?["details"] as? [String: String])?["max_pixels"] == "40000000", "\(refusal.name)")
                }
                try await Self.expectNothingStored(fixture, refusal.name)
            }
        }
    }

    @Test("an image over max_upload_bytes stops the upload with 413 and leaves nothing")
    func overSizeLimit() async throws {
        try await GatewayFixture.withGateway(configure: { $0.maxUploadBytes = 2_000 }) { fixture, client in
            let big = ImageSamples.png(width: 100, height: 100)  // about 10 KB
            #expect(big.count > 2_000)
            let body = MultipartBody.dreamWeaver(image: big)
            let response = try await client.execute(
                uri: "/dream-weaver", method: .post, headers: GatewayFixture.multipart(fixture.acme, body), body: body.buffer)
            #expect(response.status == .contentTooLarge)
            let error = try #require(response.body.json["error"] as? [String: Any])
            #expect(error["code"] as? String == "body_too_large")
            #expect((error["details"] as? [String: String])?["limit_bytes"] == "2000")
            #expect((error["details"] as? [String: String])?["field"] == "image")
            try await Self.expectNothingStored(fixture, "over the size limit")

            // Under the limit is fine on the same gateway.
            let small = MultipartBody.dreamWeaver(image: ImageSamples.png(width: 8, height: 8))
            let accepted = try await client.execute(
                uri: "/dream-weaver", method: .post, headers: GatewayFixture.multipart(fixture.acme, small), body: small.buffer)
            #expect(accepted.status == .accepted)
        }
    }

    @Test("no credentials is 401 and stores nothing")
    func unauthenticated() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let body = MultipartBody.dreamWeaver(image: Self.png)
            let response = try await client.execute(
                uri: "/dream-weaver", method: .post, headers: [.contentType: body.contentType], body: body.buffer)
            #expect(response.status == .unauthorized)
            try await Self.expectNothingStored(fixture, "unauthenticated")
        }
    }
}
