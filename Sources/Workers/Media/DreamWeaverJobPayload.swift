import Foundation

/// The payload of a `dream_weaver.render` job as the media worker reads it: the gateway's
/// `DreamWeaverPayload` (`{input_blob, room_type, style, seed|null, image: {format, width,
/// height, bytes}, output_blob}`), decoded here without depending on the gateway.
public struct DreamWeaverJobPayload: Decodable, Sendable, Equatable {
    public struct Image: Decodable, Sendable, Equatable {
        /// `png`, `jpeg` or `webp`.
        public var format: String
        public var width: Int
        public var height: Int
        public var bytes: Int
    }

    public var input_blob: String
    public var room_type: String
    public var style: String
    public var seed: UInt32?
    public var image: Image
    public var output_blob: String

    /// Decodes and checks a job's payload; throws a non-retriable `JobError`
    /// (`invalid_payload`) naming what is wrong.
    public static func decode(_ text: String) throws -> DreamWeaverJobPayload {
        let payload: DreamWeaverJobPayload
        do {
            payload = try JSONDecoder().decode(DreamWeaverJobPayload.self, from: Data(text.utf8))
        } catch let DecodingError.keyNotFound(key, _) {
            throw invalid("\(key.stringValue) is missing")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw invalid("\(path) has the wrong type")
        } catch {
            throw invalid("not a JSON object of the Dream Weaver shape")
        }
        guard !payload.input_blob.isEmpty else { throw invalid("input_blob is empty") }
        guard !payload.output_blob.isEmpty else { throw invalid("output_blob is empty") }
        guard ["png", "jpeg", "webp"].contains(payload.image.format) else {
            throw invalid("image.format \(payload.image.format) is not png, jpeg or webp")
        }
        guard !payload.room_type.isEmpty else { throw invalid("room_type is empty") }
        guard !payload.style.isEmpty else { throw invalid("style is empty") }
        return payload
    }

    /// The file extension ComfyUI's LoadImage expects for the format.
    public var fileExtension: String {
        switch image.format {
        case "jpeg": "jpg"
        default: image.format
        }
    }

    static func invalid(_ message: String) -> JobError {
        JobError(code: "invalid_payload", message: "dream_weaver.render payload: \(message)", retriable: false)
    }
}
