import Crypto
import CurlClient
import Foundation
import Logging
import NIOPosix
import VelocityTypes

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Stages one blob: fetches its source into `<hex>.incomplete` (parallel byte ranges over HTTP
/// or S3, a copy for local files), hashes it, checks a safetensors header, fsyncs, and renames
/// it into `blobs/`. A sha256 mismatch removes the partial file and fetches again (bounded).
struct BlobFetcher: Sendable {
    let store: ContentStore
    let configuration: HydrationConfiguration
    let pool: NIOThreadPool
    let fetcher: CurlRangeFetcher
    let requests: SourceRequests
    let meter: ProgressMeter

    var logger: Logger { configuration.logger }

    /// Fetches `file` unless its blob is there; returns the bytes fetched.
    func stage(_ file: ManifestFile) async throws -> Int64 {
        let blob = store.blobPath(file.sha256)
        if try await pool.runIfActive({ BlockingIO.fileSize(blob) }) == file.size { return 0 }
        var attempt = 0
        while true {
            attempt += 1
            try Task.checkCancellation()
            do {
                let fetched = try await fetchOnce(file)
                return fetched
            } catch let error as HydrationError where error.code == .digestMismatch {
                // The partial file is gone already; a corrupted transfer gets a fresh one.
                guard attempt < configuration.retry.attemptsPerFile else {
                    throw HydrationError(
                        .digestMismatch, "\(file.model): \(error.message) (after \(attempt) downloads)", cause: error)
                }
                logger.warning(
                    "sha256 mismatch, fetching again",
                    metadata: ["model": "\(file.model)", "attempt": "\(attempt)", "source": "\(file.source)"])
                try await Task.sleep(for: configuration.retry.delay(afterAttempt: attempt))
            }
        }
    }

    private func fetchOnce(_ file: ManifestFile) async throws -> Int64 {
        switch file.source {
        case .file(let path):
            return try await pool.runIfActive { try copyLocal(file, from: path) }
        case .http, .s3:
            return try await download(file)
        }
    }

    // MARK: - Local files

    /// Copies and hashes in one pass, on a pool thread.
    private func copyLocal(_ file: ManifestFile, from path: String) throws -> Int64 {
        guard let size = BlockingIO.fileSize(path) else {
            throw HydrationError(.sourceFailed, "\(file.model): cannot read \(path)")
        }
        guard size == file.size else {
            throw HydrationError(.sourceFailed, "\(file.model): \(path) is \(size) bytes, the manifest says \(file.size)")
        }
        let incomplete = store.incompletePath(file.sha256)
        let source = try BlockingIO.openFile(path, flags: O_RDONLY)
        defer { close(source) }
        let target = try BlockingIO.openFile(incomplete, flags: O_RDWR | O_CREAT | O_TRUNC)
        var keep = false
        defer {
            close(target)
            if !keep { BlockingIO.remove(incomplete) }
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: FileHasher.blockSize, alignment: 4096)
        defer { buffer.deallocate() }
        var hasher = SHA256()
        var offset: Int64 = 0
        while offset < size {
            let n = try BlockingIO.read(source, into: buffer, at: offset, path: path)
            if n == 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            hasher.update(bufferPointer: chunk)
            try BlockingIO.writeAll(target, chunk, at: offset, path: incomplete)
            offset += Int64(n)
            meter.add(bytes: n)
        }
        try finish(file, fd: target, digest: Hex.lowercase(hasher.finalize()))
        keep = true
        return size
    }

    // MARK: - Ranged downloads

    private func download(_ file: ManifestFile) async throws -> Int64 {
        let incomplete = store.incompletePath(file.sha256)
        let statePath = store.resumeStatePath(file.sha256)
        let chunkBytes = max(1, configuration.chunkBytes)
        let (fd, completed) = try await pool.runIfActive { () throws -> (Int32, Set<Int>) in
            try openIncomplete(file, incomplete: incomplete, statePath: statePath, chunkBytes: chunkBytes)
        }
        var closed = false
        defer { if !closed { close(fd) } }
        let ledger = ChunkLedger(size: file.size, chunkBytes: chunkBytes, completed: completed)
        let resumedBytes = file.size - ledger.pendingBytes
        if resumedBytes > 0 {
            logger.info(
                "resuming download", metadata: ["model": "\(file.model)", "have": "\(resumedBytes)", "of": "\(file.size)"])
            meter.add(bytes: Int(resumedBytes))
        }
        let digest: String
        do {
            digest = try await withThrowingTaskGroup(of: String?.self) { group in
                if configuration.hashing == .overlapped {
                    group.addTask { try await pool.runIfActive { try hashInOrder(fd: fd, ledger: ledger, path: incomplete) } }
                }
                for _ in 0..<max(1, configuration.rangesPerFile) {
                    group.addTask {
                        try await rangeWorker(file, fd: fd, ledger: ledger, statePath: statePath)
                        return nil
                    }
                }
                var digest: String?
                do {
                    for try await result in group where result != nil { digest = result }
                } catch {
                    ledger.fail()
                    group.cancelAll()
                    throw error
                }
                if let digest { return digest }
                return try await pool.runIfActive { try hashInOrder(fd: fd, ledger: ledger, path: incomplete) }
            }
        } catch {
            ledger.fail()
            throw error
        }
        do {
            try await pool.runIfActive {
                try finish(file, fd: fd, digest: digest)
                BlockingIO.remove(statePath)
            }
        } catch let error as HydrationError where error.code == .digestMismatch {
            meter.retract(bytes: file.size)
            throw error
        }
        close(fd)
        closed = true
        return file.size - resumedBytes
    }

    /// Opens (or creates, sparse at full size) the `.incomplete` file and reads which chunks a
    /// previous run finished, trusting the sidecar only if it describes this very file.
    private func openIncomplete(_ file: ManifestFile, incomplete: String, statePath: String, chunkBytes: Int64) throws
        -> (Int32, Set<Int>)
    {
        var completed: Set<Int> = []
        if BlockingIO.fileSize(incomplete) == file.size, let data = BlockingIO.readFile(statePath),
            let state = try? JSONDecoder().decode(ResumeState.self, from: Data(data)),
            state.matches(size: file.size, sha256: file.sha256, chunkBytes: chunkBytes)
        {
            completed = Set(state.completedChunks)
        } else {
            BlockingIO.remove(incomplete)
            BlockingIO.remove(statePath)
        }
        let fd = try BlockingIO.openFile(incomplete, flags: O_RDWR | O_CREAT)
        if completed.isEmpty {
            guard ftruncate(fd, off_t(file.size)) == 0 else {
                close(fd)
                throw BlockingIO.error("cannot size", incomplete)
            }
        }
        return (fd, completed)
    }

    /// Fetches chunks in file order until none is left, each with bounded retries that
    /// continue after the bytes already written.
    private func rangeWorker(_ file: ManifestFile, fd: Int32, ledger: ChunkLedger, statePath: String) async throws {
        while let chunk = ledger.claimNext() {
            try Task.checkCancellation()
            meter.started(file.model)
            let range = ledger.range(of: chunk)
            var attempt = 0
            while true {
                attempt += 1
                let start = range.lowerBound + ledger.writtenBytes(chunk)
                let failure: String
                var retriable = true
                do {
                    let request = try requests.request(for: file.source)
                    let result = try await fetcher.fetch(
                        request, range: start..<range.upperBound, totalSize: file.size, into: fd,
                        onWrite: { [meter] bytes in
                            ledger.add(chunk, bytes: bytes)
                            meter.add(bytes: bytes)
                        })
                    if result.isComplete { break }
                    if let problem = result.problem {
                        failure = problem
                        retriable = result.isProblemRetriable
                    } else {
                        failure = SourceRequests.describe(status: result.status, body: result.errorBody)
                        retriable = DownloadRetryPolicy.isRetriable(status: result.status)
                    }
                } catch let error as CurlClientError where error.code != .cancelled && error.code != .fileError {
                    failure = error.description
                }
                guard retriable, attempt < configuration.retry.attemptsPerRange else {
                    let tries = attempt == 1 ? "" : " (after \(attempt) tries)"
                    throw HydrationError(
                        .sourceFailed, "\(file.model): \(file.source) bytes \(start)-\(range.upperBound - 1): \(failure)\(tries)")
                }
                logger.warning(
                    "range failed, retrying",
                    metadata: ["model": "\(file.model)", "range": "\(start)-\(range.upperBound - 1)", "error": "\(failure)"])
                try await Task.sleep(for: configuration.retry.delay(afterAttempt: attempt))
            }
            ledger.complete(chunk)
            try await pool.runIfActive {
                try ledger.persist { completed in
                    let state = ResumeState(
                        size: file.size, sha256: file.sha256, chunkBytes: ledger.chunkBytes, completedChunks: completed)
                    try BlockingIO.writeAtomically(Array(try JSONEncoder().encode(state)), to: statePath, sync: false)
                }
            }
        }
    }

    /// On a pool thread: hashes the file from byte 0 as the contiguous written prefix grows.
    private func hashInOrder(fd: Int32, ledger: ChunkLedger, path: String) throws -> String {
        var hasher = SHA256()
        var hashed: Int64 = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: FileHasher.blockSize, alignment: 4096)
        defer { buffer.deallocate() }
        while hashed < ledger.size {
            guard let end = ledger.waitForContiguous(beyond: hashed) else {
                throw HydrationError(.cancelled, "the download stopped")
            }
            while hashed < end {
                let want = Int(min(Int64(buffer.count), end - hashed))
                let n = try BlockingIO.read(
                    fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]), at: hashed, path: path)
                guard n == want else { throw HydrationError(.io, "\(path) is shorter than its written bytes") }
                hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                hashed += Int64(n)
            }
        }
        return Hex.lowercase(hasher.finalize())
    }

    /// Digest and header checks, fsync, rename into `blobs/`, fsync of the directory. A wrong
    /// digest removes the partial file and its sidecar.
    private func finish(_ file: ManifestFile, fd: Int32, digest: String) throws {
        let incomplete = store.incompletePath(file.sha256)
        guard digest == file.sha256 else {
            BlockingIO.remove(incomplete)
            BlockingIO.remove(store.resumeStatePath(file.sha256))
            throw HydrationError(.digestMismatch, "\(file.source) hashes to \(digest), the manifest says \(file.sha256)")
        }
        if file.isSafetensors {
            do {
                _ = try SafetensorsHeader.check(fileSize: file.size) { offset, count in
                    var bytes = [UInt8](repeating: 0, count: count)
                    let n = try bytes.withUnsafeMutableBytes {
                        try BlockingIO.read(fd, into: $0, at: offset, path: incomplete)
                    }
                    return Array(bytes.prefix(n))
                }
            } catch let error as HydrationError {
                BlockingIO.remove(incomplete)
                BlockingIO.remove(store.resumeStatePath(file.sha256))
                throw HydrationError(error.code, "\(file.model) (\(file.destination)): \(error.message)")
            }
        }
        try BlockingIO.fsyncFile(fd, incomplete)
        try BlockingIO.renameFile(incomplete, store.blobPath(file.sha256))
        try BlockingIO.fsyncDirectory(store.blobDirectory)
        meter.finished(file.model)
    }
}
