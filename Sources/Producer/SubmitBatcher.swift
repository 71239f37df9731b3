import Broker
import Logging
public import ServiceLifecycle

/// Coalesces concurrent submits into one Postgres commit and one enqueue script.
///
/// Each submit must be durable before it is answered; a commit per request would cap a
/// gateway at the disk's fsync rate. Requests that arrive while a batch commits wait for the next one, so
/// under load each commit carries many jobs and when idle a job commits alone, at once.
public final class SubmitBatcher: Service, Sendable {
    let committer: SubmissionCommitter
    let maxBatch: Int
    let concurrency: Int
    let pending: PendingSubmissions
    let logger: Logger

    init(committer: SubmissionCommitter, maxBatch: Int = 256, concurrency: Int = 3, logger: Logger) {
        self.committer = committer
        self.maxBatch = maxBatch
        self.pending = PendingSubmissions(maxBatch: maxBatch)
        self.concurrency = concurrency
        self.logger = logger
    }

    /// Records and enqueues one validated submission, together with whatever else is waiting.
    func submit(_ submission: JobSubmission) async throws -> JobProducer.Receipt {
        try await pending.add(submission)
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            for _ in 0..<concurrency {
                group.addTask { await self.commitLoop() }
            }
            group.addTask {
                // On shutdown stop taking new work; loops finish what is already waiting.
                try? await gracefulShutdown()
                await self.pending.close()
            }
        }
    }

    private func commitLoop() async {
        while let batch = await pending.next(max: maxBatch) {
            do {
                let receipts = try await committer.commit(batch.map(\.submission))
                for (item, receipt) in zip(batch, receipts) { item.continuation.resume(returning: receipt) }
            } catch {
                logger.error("could not record \(batch.count) submissions: \(error)")
                for item in batch { item.continuation.resume(throwing: error) }
            }
        }
    }
}

/// Submissions waiting for a commit, and commit loops waiting for submissions.
actor PendingSubmissions {
    struct Item: Sendable {
        var submission: JobSubmission
        var continuation: CheckedContinuation<JobProducer.Receipt, any Error>
    }

    let maxBatch: Int
    private var items: [Item] = []
    private var idle: [CheckedContinuation<[Item]?, Never>] = []
    private var closed = false

    init(maxBatch: Int) { self.maxBatch = maxBatch }

    /// Waits for the commit that carries `submission`.
    func add(_ submission: JobSubmission) async throws -> JobProducer.Receipt {
        guard !closed else {
            throw BrokerError(.brokerUnavailable, "the producer is shutting down; retry on another instance")
        }
        return try await withCheckedThrowingContinuation { continuation in
            items.append(Item(submission: submission, continuation: continuation))
            if !idle.isEmpty { idle.removeFirst().resume(returning: take(max: maxBatch)) }
        }
    }

    /// The next batch, waiting for one; nil once closed and empty.
    func next(max: Int) async -> [Item]? {
        if !items.isEmpty { return take(max: max) }
        if closed { return nil }
        return await withCheckedContinuation { idle.append($0) }
    }

    func close() {
        closed = true
        // Loops waiting now get what remains; busy loops pick up the rest via `next`.
        for waiter in idle { waiter.resume(returning: items.isEmpty ? nil : take(max: maxBatch)) }
        idle.removeAll()
    }

    private func take(max: Int) -> [Item] {
        let count = Swift.min(max, items.count)
        let batch = Array(items.prefix(count))
        items.removeFirst(count)
        return batch
    }
}
