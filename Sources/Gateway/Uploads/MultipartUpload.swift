public import BlobStore
public import Hummingbird
import Images
import NIOCore

/// Reads a `multipart/form-data` request body while it streams in, for any upload route
/// (`POST /dream-weaver`, `POST /v1/files`, CSV imports).
///
/// Text fields are collected in memory, each bounded by `Limits.maxFieldBytes`; the parts
/// named in `fileFields` stream straight into staged uploads of a `BlobStore`, so a large
/// file never sits in memory, and the read stops with a 413 as soon as one passes
/// `Limits.maxFileBytes`. Nothing is visible in the store until the caller commits: on any
/// refusal (here or later in the route) the caller calls `Form.discard()` and nothing is left.
///
/// Refusals are `GatewayError`s: 415 `unsupported_media_type` when the body is not
/// multipart/form-data, 400 `malformed_multipart` when it does not parse or ends early,
/// 413 `body_too_large` (details `field`, `limit_bytes`) past a limit, 422 for a field given
/// twice or text that is not UTF-8.
///
/// ```swift
/// let form = try await MultipartUpload(blobs: gateway.blobs, fileFields: ["file"], limits: .init(maxFileBytes: max))
///     .read(request)
/// do { … validate form.fields, form.files["file"] …; try await form.files["file"]!.upload.commit(as: key) }
/// catch { await form.discard(); throw error }
/// ```
public struct MultipartUpload: Sendable {
    public struct Limits: Sendable {
        /// Largest file part, in bytes.
        public var maxFileBytes: Int
        /// Largest text part, in bytes.
        public var maxFieldBytes: Int
        /// Most parts in one body.
        public var maxParts: Int

        public init(maxFileBytes: Int, maxFieldBytes: Int = 64 * 1024, maxParts: Int = 32) {
            self.maxFileBytes = maxFileBytes
            self.maxFieldBytes = maxFieldBytes
            self.maxParts = maxParts
        }
    }

    /// A file part, staged and not yet visible.
    public struct StagedFile: Sendable {
        public var field: String
        /// The client's file name, if it sent one; never trusted for anything but display.
        public var filename: String?
        /// The client's `Content-Type` of the part, if any; never trusted for the format.
        public var contentType: String?
        public var upload: any BlobUpload
        public var byteCount: Int
    }

    /// A whole parsed body.
    public struct Form: Sendable {
        /// Text fields by name.
        public var fields: [String: String] = [:]
        /// File parts by field name (only the `fileFields` that were present).
        public var files: [String: StagedFile] = [:]

        /// Drops every staged file; safe after some were committed (those stay).
        public func discard() async {
            for file in files.values { await file.upload.discard() }
        }
    }

    public let blobs: any BlobStore
    public let fileFields: Set<String>
    public let limits: Limits

    public init(blobs: any BlobStore, fileFields: Set<String>, limits: Limits) {
        self.blobs = blobs
        self.fileFields = fileFields
        self.limits = limits
    }

    /// The boundary of a `multipart/form-data` content type: 415 for any other media type,
    /// 400 when the boundary is missing or not one RFC 2046 allows (1 to 70 characters).
    public static func boundary(contentType: String?) throws -> String {
        guard let contentType, case let header = HeaderParameters(parsing: contentType),
            header.value == "multipart/form-data"
        else {
            throw GatewayError(
                .unsupportedMediaType, .unsupportedMediaType,
                "the body must be multipart/form-data, not \(contentType.map { "'\($0)'" } ?? "untyped")",
                details: ["content_type": contentType ?? ""])
        }
        guard let boundary = header["boundary"], (1...70).contains(boundary.utf8.count) else {
            throw malformed("the multipart/form-data content type has no valid boundary parameter")
        }
        return boundary
    }

    /// Reads the request's body to its end; on any error, staged files are discarded first.
    public func read(_ request: Request) async throws -> Form {
        let boundary = try Self.boundary(contentType: request.headers[.contentType])
        return try await read(request.body, boundary: boundary)
    }

    /// Reads a body with a known boundary; on any error, staged files are discarded first.
    public func read<Body: AsyncSequence>(_ body: Body, boundary: String) async throws -> Form
    where Body.Element == ByteBuffer {
        let parser = MultipartStreamParser(boundary: boundary)
        let sink = EventSink()
        parser.onHeader = { sink.events.append(.header($0, $1)) }
        parser.onBody = { sink.body($0.readableBytesView) }
        parser.onPartComplete = { sink.events.append(.complete) }
        var state = ReadState()
        // Preamble, epilogue and header bytes are not counted by the part limits.
        let maxBodyBytes = fileFields.count * limits.maxFileBytes + limits.maxParts * (limits.maxFieldBytes + 4096)
        var received = 0
        do {
            for try await buffer in body {
                received += buffer.readableBytes
                guard received <= maxBodyBytes else {
                    throw Self.tooLarge("the body is larger than \(maxBodyBytes) bytes", field: nil, limit: maxBodyBytes)
                }
                var failure: MultipartStreamParser.Failure?
                do {
                    try parser.execute(buffer)
                } catch {
                    failure = error
                }
                // The parts before the point where parsing stopped count first, so the answer
                // names the first problem in the body however its bytes were split.
                for event in sink.drain() { try await handle(event, state: &state) }
                switch failure {
                case .headersTooLarge?:
                    throw Self.tooLarge(
                        "a part's headers are larger than \(parser.maxHeaderBytes) bytes", field: nil,
                        limit: parser.maxHeaderBytes)
                case .syntax(let reason)?:
                    throw Self.malformed("the multipart body does not parse (\(reason))")
                case nil:
                    break
                }
            }
            guard state.partsSeen > 0 else {
                throw Self.malformed("no part delimited by the boundary '\(boundary)' was found")
            }
            guard state.current == nil else {
                throw Self.malformed("the body ends inside part '\(state.current?.name ?? "")' (no closing boundary)")
            }
            do {
                try parser.finish()
            } catch {
                throw Self.malformed("the body ends before its close delimiter '--\(boundary)--'")
            }
            return state.form
        } catch {
            await state.current?.upload?.discard()
            await state.form.discard()
            throw error
        }
    }

    /// What the synchronous parser reported during one `execute`, replayed asynchronously.
    enum Event {
        case header(String, String)
        case body([UInt8])
        case complete
    }

    /// Collects the parser's callbacks; consecutive body slices are merged (the parser emits
    /// one at every CR byte).
    final class EventSink {
        var events: [Event] = []

        func body(_ bytes: ByteBufferView) {
            if case .body(var merged) = events.last {
                events.removeLast()
                merged.append(contentsOf: bytes)
                events.append(.body(merged))
            } else {
                events.append(.body(Array(bytes)))
            }
        }

        func drain() -> [Event] {
            defer { events.removeAll(keepingCapacity: true) }
            return events
        }
    }

    struct Part {
        var headers: [(String, String)] = []
        var name: String?
        var filename: String?
        var contentType: String?
        var isFile = false
        var upload: (any BlobUpload)?
        var bytes = 0
        var text: [UInt8] = []
        var described = false
    }

    struct ReadState {
        var form = Form()
        var current: Part?
        var partsSeen = 0
    }
}
