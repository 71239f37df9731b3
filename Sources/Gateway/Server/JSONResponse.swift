import Foundation
import HTTPTypes
public import Hummingbird
import NIOCore

/// JSON responses with the gateway's encoder settings (sorted keys, no escaped slashes).
public enum JSONResponse {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public static func make(
        _ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]
    ) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        let data = try encoder.encode(value)
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(data: data)))
    }

    /// Decodes a JSON body, mapping malformed JSON to 400 and schema errors to 422.
    public static func decode<T: Decodable>(
        _ type: T.Type, from request: Request, context: GatewayContext
    ) async throws -> T {
        guard let value = try await decodeIfPresent(T.self, from: request, context: context) else {
            throw GatewayError.malformedJSON("the body is empty")
        }
        return value
    }

    /// As `decode`, with an empty body read as nil: for the routes whose body is optional. A
    /// body over the limit is a 413 all the same, never ignored.
    public static func decodeIfPresent<T: Decodable>(
        _ type: T.Type, from request: Request, context: GatewayContext
    ) async throws -> T? {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: context.maxUploadSize)
        } catch {
            throw GatewayError(
                .contentTooLarge, .bodyTooLarge, "request body is larger than \(context.maxUploadSize) bytes",
                details: ["limit_bytes": String(context.maxUploadSize)])
        }
        guard buffer.readableBytes > 0 else { return nil }
        if Self.containsEscapedNUL(buffer.readableBytesView) {
            throw GatewayError.nulText(field: "body")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw ErrorMiddleware<GatewayContext>.map(error)
        }
    }

    /// Whether JSON text spells U+0000 (`\u0000`) in a string or a key; an escaped backslash
    /// followed by `u0000` is not one.
    static func containsEscapedNUL(_ bytes: some Collection<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "\\") else { continue }
            guard iterator.next() == UInt8(ascii: "u") else { continue }
            var zeros = 0
            while zeros < 4, let digit = iterator.next(), digit == UInt8(ascii: "0") { zeros += 1 }
            if zeros == 4 { return true }
        }
        return false
    }
}
