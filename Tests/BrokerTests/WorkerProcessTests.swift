import Broker
import Foundation
import Logging
import TestSupport
import Testing
import Workers

/// Workers as real processes and as services: what survives kill -9, and what reaches a
/// running handler.
@Suite("Workers")
struct WorkerProcessTests {
    func startWorker(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try VelocityBinary.path())
        process.arguments = ["worker"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test("a worker process killed with SIGKILL mid-job loses nothing: another worker finishes the job")
    func sigkillLosesNothing() async throws {
        let fixture = try await TestBroker.make()
        let broker = fixture.broker
        let url = try TestServers.redisURL()
        let jobs = (0..<3).map { _ in submission("kill", lease: 1_000) }
        _ = try await broker.enqueue(jobs)
        let common = ["--redis-url", url, "--namespace", fixture.namespace, "--queue", "kill", "--concurrency", "3"]
        let doomed = try startWorker(common + ["--handler", "sleep:60000", "--worker-id", "doomed"])
        try await eventually("the doomed worker runs every job") {
            try await broker.states(queue: "kill", ids: jobs.map(\.id)).allSatisfy { $0?.isRunning == true }
        }
        kill(doomed.processIdentifier, SIGKILL)
        doomed.waitUntilExit()

        let survivor = try startWorker(common + ["--handler", "sleep:40", "--worker-id", "survivor"])
        defer {
            survivor.terminate()
            survivor.waitUntilExit()
        }
        try await eventually("every job finishes") {
            try await broker.states(queue: "kill", ids: jobs.map(\.id)).allSatisfy { $0 == .succeeded }
        }
        for job in jobs {
            let snapshot = try #require(try await broker.job(queue: "kill", id: job.id))
            #expect(snapshot.worker == "survivor")
            #expect(snapshot.attempts == 2)
        }
        #expect(try await broker.depth(queue: "kill").recoveredTotal == 3)
        await fixture.tearDown()
    }

    @Test("a cancel reaches a running handler at its next heartbeat and the job ends canceled")
    func cancelReachesRunningHandler() async throws {
        let fixture = try await TestBroker.make()
        let broker = fixture.broker
        let job = submission("cw", lease: 1_000)
        _ = try await broker.enqueue([job])
        // A handler that would run for a minute: only the cancel can end it, so the test ends
        // as soon as the cancel arrives (about a second), never by the sleep running out.
        let handler = ClosureJobHandler { _, _ in
            try await Task.sleep(for: .seconds(60))
            return nil
        }
        let worker = QueueWorker(
            configuration: .init(queue: "cw", workerID: "w"), broker: broker, handler: handler,
            logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await worker.run() }
            try await eventually("running") { try await broker.job(queue: "cw", id: job.id)?.state.isRunning == true }
            #expect(try await broker.cancel(queue: "cw", jobID: job.id) == .requested)
            try await eventually("canceled") { try await broker.job(queue: "cw", id: job.id)?.state == .canceled }
            group.cancelAll()
        }
        await fixture.tearDown()
    }

    @Test("a worker retries a failing handler with backoff and completes the next attempt")
    func workerRetries() async throws {
        let fixture = try await TestBroker.make()
        let broker = fixture.broker
        let job = submission("rw", backoff: BackoffPolicy(baseMilliseconds: 50, maxMilliseconds: 50))
        _ = try await broker.enqueue([job])
        let handler = ClosureJobHandler { job, _ in
            if job.attempt == 1 { throw JobError(code: "flaky", message: "first", retriable: true) }
            return #"{"attempt":\#(job.attempt)}"#
        }
        let worker = QueueWorker(
            configuration: .init(queue: "rw", workerID: "w", concurrency: 2), broker: broker, handler: handler,
            logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await worker.run() }
            try await eventually("succeeded") { try await broker.job(queue: "rw", id: job.id)?.state == .succeeded }
            group.cancelAll()
        }
        let done = try #require(try await broker.job(queue: "rw", id: job.id))
        #expect(done.result == #"{"attempt":2}"#)
        #expect(done.attempts == 2)
        await fixture.tearDown()
    }
}
