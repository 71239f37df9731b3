import Synchronization
import VelocityTypes

/// How far the render on a worker's GPU has come, so the next job is claimed and uploaded just
/// before it ends rather than as it starts: a job claimed early by a busy GPU is one an idle
/// GPU could have run (at the end of a backlog, a whole render of idle time), while the upload
/// only needs a moment of overlap. The end is estimated from the sampler's progress reports
/// (their pace since the first), else from the last render's length.
final class RenderPace: Sendable {
    private struct State {
        var started: ContinuousClock.Instant?
        var first: (at: ContinuousClock.Instant, fraction: Double)?
        var latest: (at: ContinuousClock.Instant, fraction: Double)?
        var lastLength: Duration?
        var generation = 0
    }
    private let state = Mutex(State())

    /// A render starts.
    func begin(at now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            state.started = now
            state.first = nil
            state.latest = nil
            state.generation += 1
        }
    }

    /// The sampler reported `fraction` of its steps.
    func progress(_ fraction: Double, at now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            guard state.started != nil else { return }
            if state.first == nil { state.first = (now, fraction) }
            state.latest = (now, fraction)
        }
    }

    /// The render ended (however): its length is the guess for the next one without progress.
    func end(at now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            if let started = state.started { state.lastLength = started.duration(to: now) }
            state.started = nil
            state.generation += 1
        }
    }

    /// Time left of the render running at `now`; zero when none runs; nil when nothing tells.
    func remaining(at now: ContinuousClock.Instant = .now) -> Duration? {
        state.withLock { state in
            guard let started = state.started else { return .zero }
            if let first = state.first, let latest = state.latest, latest.fraction > first.fraction {
                let rate = (latest.fraction - first.fraction) / (latest.at - first.at).inSeconds
                let left = Duration.seconds((1 - latest.fraction) / rate) - latest.at.duration(to: now)
                return max(left, .zero)
            }
            if let lastLength = state.lastLength { return max(lastLength - started.duration(to: now), .zero) }
            return nil
        }
    }

    /// Returns once the running render is within `lead` of its end (or ended, or nothing tells
    /// when it ends), checking every `interval`, or when `stop` says so.
    func untilNearEnd(lead: Duration, interval: Duration = .milliseconds(50), stop: () -> Bool) async {
        while !stop() {
            guard let left = remaining(), left > lead else { return }
            try? await Task.sleep(for: min(interval, left - lead))
        }
    }
}
