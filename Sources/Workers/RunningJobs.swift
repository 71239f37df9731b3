import Synchronization

/// The jobs a worker is running, and when each needs its next heartbeat.
final class RunningJobs: Sendable {
    private struct State {
        var jobs: [String: (context: JobContext, leaseMilliseconds: Int)] = [:]
        var stopped = false
    }
    private let state = Mutex(State())

    func insert(_ context: JobContext, leaseMilliseconds: Int) {
        state.withLock { $0.jobs[context.lease.jobID] = (context, leaseMilliseconds) }
    }

    func remove(_ id: String) {
        _ = state.withLock { $0.jobs.removeValue(forKey: id) }
    }

    func stop() {
        state.withLock { $0.stopped = true }
    }

    /// Sleeps until some job is due for a heartbeat (a third of its lease since the last one)
    /// and returns those; nil once stopped.
    func nextDue() async -> [(JobContext, Int)]? {
        while true {
            let (stopped, jobs) = state.withLock { ($0.stopped, Array($0.jobs.values)) }
            if stopped || Task.isCancelled { return nil }
            var due: [(JobContext, Int)] = []
            var sleep = Duration.milliseconds(250)
            for (context, lease) in jobs {
                let interval = Duration.milliseconds(max(lease / 3, 50))
                let since = context.sinceLastHeartbeat
                if since >= interval {
                    due.append((context, lease))
                } else {
                    sleep = min(sleep, interval - since)
                }
            }
            if !due.isEmpty { return due }
            try? await Task.sleep(for: sleep)
        }
    }
}
