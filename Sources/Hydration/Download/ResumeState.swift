/// The sidecar of an `.incomplete` download: which chunks are in it, for a resume.
///
/// It is trusted only when it describes the same file (size, digest, chunk size) as the
/// manifest entry being fetched; and the final sha256 check still decides, so a sidecar that
/// outlived its data (a crash before the page cache reached the disk) costs one refetch, never
/// a wrong blob.
struct ResumeState: Codable, Equatable, Sendable {
    var version = 1
    var size: Int64
    var sha256: String
    var chunkBytes: Int64
    var completedChunks: [Int]

    func matches(size: Int64, sha256: String, chunkBytes: Int64) -> Bool {
        version == 1 && self.size == size && self.sha256 == sha256 && self.chunkBytes == chunkBytes
    }
}
