import Broker
import Foundation

/// The parts of the gateway's job JSON (`GET /v1/jobs/{id}`, `/dream-weaver/status/{id}`) the
/// command line shows; everything optional but the status, so new fields change nothing.
struct JobStatusView: Decodable, Sendable {
    struct Progress: Decodable, Sendable {
        var fraction: Double?
        var message: String?
    }

    struct ErrorInfo: Decodable, Sendable {
        var code: String
        var message: String?
    }

    var id: String?
    var job_id: String?
    var kind: String?
    var queue: String?
    var status: String
    var queue_position: Int?
    /// Why it cannot start yet, while queued ("waiting: no media capacity, …").
    var waiting_reason: String?
    var eta: ETA?
    var progress: Progress?
    var error: ErrorInfo?
    var created_at: String?
    var finished_at: String?

    var identifier: String { id ?? job_id ?? "?" }

    var isTerminal: Bool { JobState(rawValue: status)?.isTerminal ?? false }

    /// The details for a progress line: the queue position while queued, else the progress message.
    var progressMessage: String? {
        if status == "queued", let position = queue_position {
            let place = position == 0 ? "next in line" : "\(position) ahead"
            guard let eta else { return place }
            return place + ", done in ~\(Self.seconds(eta.p50_ms)) (p90 \(Self.seconds(eta.p90_ms)))"
        }
        // The reason itself is printed once per change (`WaitingReason`); the bar keeps it in view.
        if status == "queued", let waiting_reason { return waiting_reason }
        return progress?.message
    }

    /// The gateway's estimate of when a queued job is done.
    struct ETA: Decodable {
        var p50_ms: Int
        var p90_ms: Int
    }

    static func seconds(_ milliseconds: Int) -> String {
        milliseconds < 10_000
            ? String(format: "%.1f s", Double(milliseconds) / 1000) : "\(Int((Double(milliseconds) / 1000).rounded())) s"
    }

    /// Shows the progress of `self` on `bar`.
    func show(on bar: ProgressBar) {
        let fraction = status == "succeeded" ? 1 : progress?.fraction
        bar.update(fraction: fraction, status: status, message: progressMessage)
    }

    /// One line for logs: `<id> <status> [fraction] [message] [error]`.
    var summaryLine: String {
        var parts = [identifier, status]
        if let fraction = progress?.fraction { parts.append("\(Int((fraction * 100).rounded(.down)))%") }
        if let message = progressMessage { parts.append(message) }
        if let error { parts.append("error \(error.code): \(error.message ?? "")") }
        return parts.joined(separator: " ")
    }
}

/// `POST /v1/jobs` → 202.
struct JobAcceptedView: Decodable {
    var id: String
    var status: String
    var kind: String?
    var queue: String?
}

/// `GET /v1/jobs/{id}/result`.
struct JobResultView: Decodable {
    var id: String?
    var status: String
    var error: JobStatusView.ErrorInfo?
}

/// `POST /v1/jobs/{id}/cancel`.
struct JobCancelView: Decodable {
    var id: String
    var status: String
    var outcome: String
}

/// `GET /v1/jobs`.
struct JobPageView: Decodable {
    var data: [JobStatusView]
    var next_cursor: String?
    var has_more: Bool?
}
