import Foundation
public import Logging
public import ServiceLifecycle

/// Runs `Scheduler` passes for as long as the process runs: at each tick's second (it sleeps
/// until the earliest next tick), and at least every `pollInterval` to see schedules other
/// processes made or edited. Every gateway runs one; the claims keep them from doubling jobs.
public struct SchedulerService: Service {
    let scheduler: Scheduler
    let pollInterval: Duration
    /// Runs older than this are forgotten (checked every ten minutes).
    let runRetentionDays: Int
    let logger: Logger

    public init(scheduler: Scheduler, pollInterval: Duration = .seconds(1), runRetentionDays: Int = 30, logger: Logger) {
        self.scheduler = scheduler
        self.pollInterval = pollInterval
        self.runRetentionDays = runRetentionDays
        self.logger = logger
    }

    public func run() async throws {
        var lastPrune = ContinuousClock.now - .seconds(600)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var wait = pollInterval
            do {
                let pass = try await scheduler.pass(now: Date())
                let stuck = pass.decided.isEmpty && pass.lost == 0 && (pass.undecided > 0 || pass.failed > 0)
                // A due schedule that cannot be decided now (Redis down, say) waits a poll
                // interval, rather than every gateway asking again at once in a tight loop.
                if !stuck, let next = try await scheduler.store.earliestNextFire() {
                    // A few milliseconds past the tick's second, so the pass finds it due.
                    let until = Double(next) - Date().timeIntervalSince1970 + 0.005
                    wait = min(pollInterval, .milliseconds(max(0, Int(until * 1_000))))
                }
                if ContinuousClock.now - lastPrune >= .seconds(600) {
                    lastPrune = .now
                    let pruned = try await scheduler.store.pruneRuns(olderThanDays: runRetentionDays)
                    if pruned > 0 { logger.info("forgot \(pruned) schedule runs older than \(runRetentionDays) days") }
                }
            } catch {
                logger.warning("scheduler pass failed: \(error); trying again")
            }
            try? await Task.sleep(for: wait)
        }
    }
}
