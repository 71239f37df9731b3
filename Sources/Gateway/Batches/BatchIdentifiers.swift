import Broker

/// OpenAI-style ids: `file-…`, `batch_…`, `batch_req_…`, built from UUIDv7s so they sort by
/// creation time.
enum BatchIdentifiers {
    static func hex(_ uuid: String) -> String { uuid.replacingOccurrences(of: "-", with: "") }

    static func newFileID() -> String { "file-" + hex(JobID.make()) }
    static func newBatchID() -> String { "batch_" + hex(JobID.make()) }

    /// The output and error files of a batch have fixed ids, so a finalization that crashed
    /// and runs again replaces its own files instead of leaving orphans.
    static func outputFileID(batchID: String) -> String { "file-out-" + suffix(batchID) }
    static func errorFileID(batchID: String) -> String { "file-err-" + suffix(batchID) }

    /// The id of one output or error line: the child job's, so it is stable across runs.
    static func requestID(jobID: String) -> String { "batch_req_" + hex(jobID) }

    static func suffix(_ batchID: String) -> String {
        batchID.hasPrefix("batch_") ? String(batchID.dropFirst(6)) : batchID
    }

    /// The blob of a file.
    static func blobKey(fileID: String) -> String { "files/\(fileID)" }
}
