#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Shared progress of one file's chunks, between the range workers (which write) and the
/// hashing thread (which waits for contiguous bytes and hashes them in order).
///
/// A pthread mutex and condition variable, because the hasher blocks a pool thread while it
/// waits; nothing here runs on Swift's cooperative pool.
final class ChunkLedger: @unchecked Sendable {
    let size: Int64
    let chunkBytes: Int64
    let count: Int
    private var done: [Bool]
    private var written: [Int64]
    private var nextToClaim = 0
    private var failed = false
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    /// Serializes sidecar writes (one temporary file), each with the newest set of chunks.
    private var persistMutex = pthread_mutex_t()

    init(size: Int64, chunkBytes: Int64, completed: Set<Int>) {
        self.size = size
        self.chunkBytes = max(1, chunkBytes)
        count = size == 0 ? 0 : Int((size + self.chunkBytes - 1) / self.chunkBytes)
        done = (0..<count).map { completed.contains($0) }
        written = (0..<count).map { _ in 0 }
        pthread_mutex_init(&mutex, nil)
        pthread_mutex_init(&persistMutex, nil)
        pthread_cond_init(&condition, nil)
    }

    deinit {
        pthread_cond_destroy(&condition)
        pthread_mutex_destroy(&mutex)
        pthread_mutex_destroy(&persistMutex)
    }

    /// Runs `write` with the completed chunks, one writer at a time (blocking: call on a pool thread).
    func persist(_ write: ([Int]) throws -> Void) throws {
        pthread_mutex_lock(&persistMutex)
        defer { pthread_mutex_unlock(&persistMutex) }
        try write(completedChunks)
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }

    func range(of chunk: Int) -> Range<Int64> {
        let start = Int64(chunk) * chunkBytes
        return start..<min(size, start + chunkBytes)
    }

    /// The next chunk nobody fetches yet, in file order; nil when all are taken.
    func claimNext() -> Int? {
        locked {
            while nextToClaim < count && done[nextToClaim] { nextToClaim += 1 }
            guard nextToClaim < count, !failed else { return nil }
            defer { nextToClaim += 1 }
            return nextToClaim
        }
    }

    var pendingBytes: Int64 {
        locked { (0..<count).filter { !done[$0] }.reduce(0) { $0 + range(of: $1).count.int64 } }
    }

    var completedChunks: [Int] { locked { (0..<count).filter { done[$0] } } }

    /// Bytes of `chunk` already written in this run (a retry continues after them).
    func writtenBytes(_ chunk: Int) -> Int64 { locked { written[chunk] } }

    func add(_ chunk: Int, bytes: Int) {
        locked { written[chunk] += Int64(bytes) }
        pthread_cond_broadcast(&condition)
    }

    func complete(_ chunk: Int) {
        locked { done[chunk] = true }
        pthread_cond_broadcast(&condition)
    }

    /// Wakes the hasher for good: the download failed or was cancelled.
    func fail() {
        locked { failed = true }
        pthread_cond_broadcast(&condition)
    }

    /// Blocks until the bytes known written from 0 reach past `hashed`; returns that end, or
    /// nil once the download failed.
    func waitForContiguous(beyond hashed: Int64) -> Int64? {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        while true {
            if failed { return nil }
            let end = contiguousEnd()
            if end > hashed { return end }
            pthread_cond_wait(&condition, &mutex)
        }
    }

    /// Called with the mutex held.
    private func contiguousEnd() -> Int64 {
        var chunk = 0
        while chunk < count && done[chunk] { chunk += 1 }
        if chunk == count { return size }
        return range(of: chunk).lowerBound + written[chunk]
    }
}

extension Int {
    fileprivate var int64: Int64 { Int64(self) }
}
