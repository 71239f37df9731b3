import BlobStore
import Broker
import Foundation

/// Writes a batch's output file (one line per succeeded request) and error file (one per
/// request that failed, died or was cancelled) in OpenAI's line shape, streaming the ended
/// children from the system of record a page at a time into staged blob uploads.
struct BatchResultWriter: Sendable {
    let store: BatchStore
    let records: any JobRecordStore
    let blobs: any BlobStore
    var pageSize = 1_000

    struct Written: Sendable {
        var outputFileID: String?
        var errorFileID: String?
        var succeeded: Int
        var unsuccessful: Int
    }

    func write(_ batch: BatchStore.StoredBatch, ending final: BatchStatus) async throws -> Written {
        var output: (any BlobUpload)?
        var errors: (any BlobUpload)?
        var succeeded = 0
        var unsuccessful = 0
        do {
            var after: String?
            while true {
                let page = try await records.endedChildren(parentBatch: batch.id, afterID: after, limit: pageSize)
                guard let last = page.last else { break }
                after = last.submission.id
                var outputBytes: [UInt8] = []
                var errorBytes: [UInt8] = []
                for child in page {
                    switch child.state {
                    case .succeeded:
                        succeeded += 1
                        outputBytes += Self.line(child, final: final)
                    case .failed, .dead, .canceled:
                        unsuccessful += 1
                        errorBytes += Self.line(child, final: final)
                    default:
                        continue
                    }
                }
                if !outputBytes.isEmpty {
                    if output == nil { output = try await blobs.beginUpload() }
                    try await output!.append(outputBytes)
                }
                if !errorBytes.isEmpty {
                    if errors == nil { errors = try await blobs.beginUpload() }
                    try await errors!.append(errorBytes)
                }
            }
            let outputFileID = try await record(
                output, id: BatchIdentifiers.outputFileID(batchID: batch.id), batch: batch, suffix: "output")
            let errorFileID = try await record(
                errors, id: BatchIdentifiers.errorFileID(batchID: batch.id), batch: batch, suffix: "error")
            return Written(
                outputFileID: outputFileID, errorFileID: errorFileID, succeeded: succeeded, unsuccessful: unsuccessful)
        } catch {
            await output?.discard()
            await errors?.discard()
            throw error
        }
    }

    /// Commits a staged file and records it with purpose `batch_output`; nil when there is
    /// nothing to write (OpenAI leaves the id null then).
    func record(_ upload: (any BlobUpload)?, id: String, batch: BatchStore.StoredBatch, suffix: String) async throws
        -> String?
    {
        guard let upload else { return nil }
        let bytes = await upload.byteCount()
        let key = BatchIdentifiers.blobKey(fileID: id)
        try await upload.commit(as: key)
        try await store.insertFile(
            id: id, tenant: batch.tenant, purpose: "batch_output", filename: "\(batch.id)_\(suffix).jsonl",
            bytes: bytes, blobKey: key, replace: true)
        return id
    }

    /// `{"id", "custom_id", "response": {"status_code", "request_id", "body"} | null,
    /// "error": {"code", "message"} | null}` and a newline. A request the server refused has its
    /// answer as the response (`status_code` 400, the server's error body) and no `error`, as in
    /// OpenAI's error files; `error` is for requests that got no answer (expired, cancelled,
    /// the server unreachable to the end).
    static func line(_ child: RecordedJob, final: BatchStatus) -> [UInt8] {
        let customID = JSONValue(parsing: child.submission.payload)?["custom_id"] ?? .null
        var response: JSONValue = .null
        var error: JSONValue = .null
        if child.state == .succeeded {
            let body = child.result.map { JSONValue(parsing: $0) ?? .string($0) } ?? .null
            response = .object([
                "status_code": .int(200), "request_id": .string(child.submission.id), "body": body,
            ])
        } else {
            let code: String
            let message: String
            if child.state == .canceled {
                switch final {
                case .expired:
                    code = "batch_expired"
                    message = "The batch expired before this request completed."
                case .cancelled:
                    code = "batch_cancelled"
                    message = "The batch was cancelled before this request completed."
                default:
                    code = child.errorCode ?? "request_cancelled"
                    message = child.errorMessage ?? "The request was cancelled."
                }
            } else {
                code = child.errorCode ?? "request_failed"
                message = child.errorMessage ?? "The request failed."
            }
            if child.state != .canceled, let answer = child.result.flatMap(JSONValue.init(parsing:)),
                case .int(let status)? = answer["status_code"], let body = answer["body"]
            {
                // The server answered with an error: OpenAI's error file carries that answer as
                // the line's response, its status and error object as the server sent them.
                response = .object([
                    "status_code": .int(status), "request_id": .string(child.submission.id), "body": body,
                ])
            } else {
                error = .object(["code": .string(code), "message": .string(message)])
            }
        }
        let line: JSONValue = .object([
            "id": .string(BatchIdentifiers.requestID(jobID: child.submission.id)), "custom_id": customID,
            "response": response, "error": error,
        ])
        return Array(line.jsonText.utf8) + [UInt8(ascii: "\n")]
    }
}
