import ArgumentParser
import Broker
import Foundation
import Workers

/// Handlers for demos, benchmarks and fault-injection tests: `noop`, `sleep:MS` (reporting
/// progress and a checkpoint as it goes), `fail`, and `fail-once` (fails attempt 1 only).
struct BuiltInHandler: JobHandler, ExpressibleByArgument {
    enum Behaviour: Equatable {
        case noop
        case sleep(milliseconds: Int)
        case fail
        case failOnce
    }
    let behaviour: Behaviour

    init?(argument: String) {
        switch argument {
        case "noop": behaviour = .noop
        case "fail": behaviour = .fail
        case "fail-once": behaviour = .failOnce
        default:
            guard argument.hasPrefix("sleep:"), let ms = Int(argument.dropFirst(6)), ms >= 0 else { return nil }
            behaviour = .sleep(milliseconds: ms)
        }
    }

    func handle(_ job: ClaimedJob, context: JobContext) async throws -> String? {
        switch behaviour {
        case .noop:
            return nil
        case .fail:
            throw JobError(code: "demo_failure", message: "this handler always fails", retriable: true)
        case .failOnce:
            if job.attempt == 1 {
                throw JobError(code: "demo_failure", message: "first attempts fail", retriable: true)
            }
            return #"{"attempt":\#(job.attempt)}"#
        case .sleep(let milliseconds):
            let steps = 4
            for step in 1...steps {
                try await Task.sleep(for: .milliseconds(milliseconds / steps))
                try await context.progress(
                    Double(step) / Double(steps), message: "step \(step) of \(steps)", checkpoint: "\(step)")
            }
            // The attempt's id too: a checker can tell which attempt's acknowledgement the broker kept.
            return #"{"slept_ms":\#(milliseconds),"attempt":\#(job.attempt),"attempt_id":"\#(job.lease.attemptID)"}"#
        }
    }
}
