import BlobStore
import Broker
import Foundation
import HTTPTypes
import Hummingbird
import Images
import NIOCore

/// Streams a `multipart/form-data` request into a staged blob upload: the one file part goes
/// to the blob store as it arrives, never whole into memory; the other parts are small text
/// fields. On any refusal the staged bytes are discarded, so nothing is left behind.
struct MultipartFileReceiver: Sendable {
    let blobs: any BlobStore
    /// Largest file accepted (413 beyond it).
    let maxFileBytes: Int
    /// The form field that carries the file.
    var fileField = "file"
    /// Largest text field.
    var maxFieldBytes = 64 * 1024
    /// Most parts in one body (the form has a handful; many small ones would only cost memory).
    var maxParts = 32
    /// Sees the file's bytes in order as they stream through, before they are stored; what it
    /// throws refuses the upload (a CSV that is not one, too many rows…).
    var inspect: (@Sendable ([UInt8]) throws -> Void)?

    /// What arrived: the staged file (commit or discard it) and the text fields.
    struct Received: Sendable {
        var upload: any BlobUpload
        var filename: String
        var bytes: Int
        var fields: [String: String]
    }

    func receive(_ request: Request) async throws -> Received {
        let boundary = try Self.boundary(of: request.headers[.contentType])
        let collector = Collector(
            fileField: fileField, maxFileBytes: maxFileBytes, maxFieldBytes: maxFieldBytes, maxParts: maxParts)
        let parser = MultipartStreamParser(boundary: boundary)
        parser.onHeader = { name, value in collector.header(name, value) }
        parser.onBody = { buffer in collector.body(&buffer) }
        parser.onPartComplete = { collector.partComplete() }
        var upload: (any BlobUpload)?
        do {
            // The whole body may carry the file plus a little framing and a few fields.
            let maxBodyBytes = maxFileBytes + 1024 * 1024
            var bodyBytes = 0
            for try await buffer in request.body {
                bodyBytes += buffer.readableBytes
                guard bodyBytes <= maxBodyBytes else { throw Self.tooLarge(maxFileBytes) }
                do {
                    try parser.execute(buffer)
                } catch {
                    // A refusal of a part before the point where parsing stopped comes first,
                    // the file's own inspection included.
                    if let refusal = collector.refusal { throw refusal }
                    if !collector.pendingFileBytes.isEmpty { try inspect?(collector.pendingFileBytes) }
                    switch error {
                    case .headersTooLarge: throw Self.malformed("a part's headers are larger than \(parser.maxHeaderBytes) bytes")
                    case .syntax(let reason): throw Self.malformed("the multipart body is malformed (\(reason))")
                    }
                }
                if let refusal = collector.refusal { throw refusal }
                if !collector.pendingFileBytes.isEmpty {
                    try inspect?(collector.pendingFileBytes)
                    if upload == nil { upload = try await blobs.beginUpload() }
                    try await upload!.append(collector.pendingFileBytes)
                    collector.pendingFileBytes.removeAll(keepingCapacity: true)
                }
            }
            guard collector.sawFilePart else {
                throw GatewayError.invalid(field: fileField, "is required (a multipart part named '\(fileField)')")
            }
            guard collector.fileComplete else { throw Self.malformed("the multipart body ended inside the file part") }
            guard collector.fileBytes > 0, let upload else { throw GatewayError.invalid(field: fileField, "is empty") }
            do {
                try parser.finish()
            } catch {
                throw Self.malformed("the multipart body ends before its close delimiter '--\(boundary)--'")
            }
            return Received(
                upload: upload, filename: collector.filename ?? "upload.jsonl", bytes: collector.fileBytes,
                fields: collector.fields)
        } catch {
            await upload?.discard()
            throw error
        }
    }

    static func boundary(of contentType: String?) throws -> String {
        guard let contentType else {
            throw GatewayError(
                .unsupportedMediaType, .unsupportedMediaType, "the request must be multipart/form-data",
                details: ["content_type": ""])
        }
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else {
            throw GatewayError(
                .unsupportedMediaType, .unsupportedMediaType,
                "the request must be multipart/form-data, not \(parts.first ?? "")",
                details: ["content_type": parts.first ?? ""])
        }
        let parameters = Self.parameters(parts.dropFirst())
        guard let boundary = parameters["boundary"], !boundary.isEmpty, boundary.utf8.count <= 70 else {
            throw malformed("the Content-Type has no usable boundary")
        }
        return boundary
    }

    /// `key=value` and `key="quoted value"` parameters, keys lowercased.
    static func parameters(_ items: some Sequence<String>) -> [String: String] {
        var result: [String: String] = [:]
        for item in items {
            guard let equals = item.firstIndex(of: "=") else { continue }
            let key = item[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var value = item[item.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            result[key] = value
        }
        return result
    }

    static func malformed(_ message: String) -> GatewayError {
        GatewayError(.badRequest, "malformed_multipart", message)
    }

    static func tooLarge(_ limit: Int) -> GatewayError {
        GatewayError(
            .contentTooLarge, .bodyTooLarge, "the file is larger than \(limit) bytes",
            details: ["limit_bytes": String(limit)])
    }

    /// The parser's callbacks are synchronous; they collect here, and `receive` writes the
    /// file bytes out after each chunk of the body.
    final class Collector {
        let fileField: String
        let maxFileBytes: Int
        let maxFieldBytes: Int
        let maxParts: Int
        var partsSeen = 0
        var headers: [String: String] = [:]
        /// The current part: nil until its headers are read.
        var current: Part?
        var fields: [String: String] = [:]
        var filename: String?
        var sawFilePart = false
        var fileComplete = false
        var fileBytes = 0
        var pendingFileBytes: [UInt8] = []
        var refusal: GatewayError?

        enum Part {
            case file
            case field(name: String, bytes: [UInt8])
            case ignored
        }

        init(fileField: String, maxFileBytes: Int, maxFieldBytes: Int, maxParts: Int) {
            self.fileField = fileField
            self.maxFileBytes = maxFileBytes
            self.maxFieldBytes = maxFieldBytes
            self.maxParts = maxParts
        }

        func header(_ name: String, _ value: String) {
            headers[name.lowercased()] = value
        }

        /// Decides what the part is once its headers are complete.
        func begin() -> Part {
            if let current { return current }
            partsSeen += 1
            if partsSeen > maxParts, refusal == nil {
                refusal = GatewayError(
                    .contentTooLarge, .bodyTooLarge, "more than \(maxParts) parts",
                    details: ["limit_parts": String(maxParts)])
            }
            let disposition = headers["content-disposition"] ?? ""
            let items = disposition.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            let parameters = MultipartFileReceiver.parameters(items.dropFirst())
            let part: Part
            switch parameters["name"] {
            case fileField?:
                if sawFilePart {
                    refusal = GatewayError.invalid(field: fileField, "only one file may be sent")
                    part = .ignored
                } else {
                    sawFilePart = true
                    filename = parameters["filename"].map { String($0.prefix(255)) }
                    part = .file
                }
            case let name?:
                part = .field(name: name, bytes: [])
            case nil:
                part = .ignored
            }
            current = part
            return part
        }

        func body(_ buffer: inout ByteBuffer) {
            guard refusal == nil else { return }
            switch begin() {
            case .file:
                fileBytes += buffer.readableBytes
                if fileBytes > maxFileBytes {
                    refusal = MultipartFileReceiver.tooLarge(maxFileBytes)
                    return
                }
                pendingFileBytes.append(contentsOf: buffer.readableBytesView)
            case .field(let name, var bytes):
                bytes.append(contentsOf: buffer.readableBytesView)
                if bytes.count > maxFieldBytes {
                    refusal = GatewayError(
                        .contentTooLarge, .bodyTooLarge, "field '\(name)' is larger than \(maxFieldBytes) bytes",
                        details: ["field": name, "limit_bytes": String(maxFieldBytes)])
                }
                current = .field(name: name, bytes: bytes)
            case .ignored:
                break
            }
        }

        func partComplete() {
            switch begin() {
            case .file: fileComplete = true
            case .field(let name, let bytes): fields[name] = String(decoding: bytes, as: UTF8.self)
            case .ignored: break
            }
            current = nil
            headers = [:]
        }
    }
}
