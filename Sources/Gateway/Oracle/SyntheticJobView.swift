import Broker
import Foundation
import PlatformStore

/// A synthetic job as the API shows it: its spec, where its lines stand, and its urls.
struct SyntheticJobView: Encodable, Sendable {
    struct Counts: Encodable, Sendable {
        /// Examples stored, each valid and unlike the others.
        var valid: Int
        /// Of the valid, those that took more than one answer.
        var retried: Int
        /// Lines that ended without an example (invalid output after every retry, duplicates).
        var failed: Int
        var canceled: Int
        /// Lines not ended yet.
        var pending: Int
    }

    struct URLs: Encodable, Sendable {
        var `self`: String
        var examples: String
        var cancel: String
    }

    var id: String
    var object = "synthetic_job"
    var template_id: String
    /// `running`, `completed`, `canceling` (lines still ending) or `canceled`.
    var status: String
    var count: Int
    var temperature: Double
    var few_shot_examples: Int
    var counts: Counts
    var created_at: String
    var created_by: String
    /// `"24h"` and the like; null for a job stored before windows existed.
    var completion_window: String?
    var expires_at: String?
    /// While it runs: its chance of finishing inside its window at the pace its lines run
    /// (`BatchWindow`), and when its lines were promoted out of the backfill band.
    var window: BatchObject.Window?
    var urls: URLs

    init(_ summary: SyntheticJobSummary, children: BatchChildCounts, now: Double = Date().timeIntervalSince1970) {
        let job = summary.job
        let pending = max(0, job.count - children.ended)
        id = job.id
        template_id = job.templateID
        count = job.count
        temperature = job.temperature
        few_shot_examples = job.examples.count
        counts = Counts(
            valid: summary.valid, retried: summary.retried, failed: children.unsuccessful - children.canceled,
            canceled: children.canceled, pending: pending)
        if job.canceled {
            status = pending == 0 ? "canceled" : "canceling"
        } else {
            status = pending == 0 ? "completed" : "running"
        }
        let iso = ISO8601DateFormatter()
        created_at = iso.string(from: Date(timeIntervalSince1970: Double(job.createdMilliseconds) / 1000))
        created_by = job.createdBy
        if let expires = job.expiresMilliseconds {
            completion_window = "\(job.completionWindowSeconds / 3_600)h"
            expires_at = iso.string(from: Date(timeIntervalSince1970: Double(expires) / 1000))
            if status == "running", let assessed = job.window(ended: children.ended, now: now) {
                window = BatchObject.Window(
                    assessed, promotedAt: job.promotedMilliseconds.map { $0 / 1000 }, promotedPriority: job.promotedPriority)
            }
        }
        let base = "/api/admin-surface/synthetic-jobs/\(job.id)"
        urls = URLs(self: base, examples: base + "/examples", cancel: base + "/cancel")
    }
}
