import Foundation

extension Hydrator {
    /// Re-hashes every blob `mode`'s manifest names, without changing anything.
    public func verify(mode: String) async throws -> VerifyReport {
        let manifest = try ManifestLoader.load(mode: mode, directory: configuration.manifestDirectory)
        let unique = Self.uniqueFiles(manifest)
        let (present, missing) = try await pool.runIfActive { [store] in
            let present = unique.filter { BlockingIO.fileSize(store.blobPath($0.sha256)) != nil }
            let missing = unique.filter { BlockingIO.fileSize(store.blobPath($0.sha256)) == nil }
            return (present, missing)
        }
        let meter = ProgressMeter(mode: mode, sink: { _ in })
        let bad = try await verifyBlobs(present, meter: meter)
        var mismatched: [String] = []
        for file in bad { mismatched.append("\(file.model): blob \(file.sha256) does not hash to its name") }
        return VerifyReport(
            mode: mode, checkedBlobs: present.count, missing: missing.map { "\($0.model): \($0.destination)" },
            mismatched: mismatched)
    }

    /// The files whose blob's size or sha256 differs from the manifest, hashed up to
    /// `parallelFiles` at a time on the pool.
    func verifyBlobs(_ files: [ManifestFile], meter: ProgressMeter) async throws -> [ManifestFile] {
        try await withThrowingTaskGroup(of: ManifestFile?.self) { group in
            var bad: [ManifestFile] = []
            var next = files.makeIterator()
            func addNext() {
                guard let file = next.next() else { return }
                group.addTask { [pool, store] in
                    let (digest, size) = try await pool.runIfActive { try FileHasher.hash(path: store.blobPath(file.sha256)) }
                    meter.add(bytes: Int(size))
                    meter.finished(nil)
                    return digest == file.sha256 && size == file.size ? nil : file
                }
            }
            for _ in 0..<max(1, configuration.parallelFiles) { addNext() }
            while let result = try await group.next() {
                if let result { bad.append(result) }
                addNext()
            }
            return bad
        }
    }
}
