import Broker
import Instrumentation
import JobTracing
import Tracing

/// A claimed job's span in its submitter's trace (a new trace when it came without one): from
/// the claim to the acknowledgement. Inside it: `claim` (Redis's claim time to the hand-over),
/// each backend call the work makes (`JobContext.traced`), and `ack` or `fail`, the round
/// trip that records the end. Made only when a tracer is installed.
final class JobSpan: Sendable {
    let span: any Span

    init?(job: ClaimedJob, workerID: String) {
        guard JobTrace.isEnabled else { return nil }
        let tracer = InstrumentationSystem.tracer
        let claimed = EpochInstant(milliseconds: job.claimedMilliseconds)
        span = tracer.startSpan(
            "job \(job.kind)", context: JobTrace.context(traceParent: job.traceParent), ofKind: .consumer, at: claimed)
        span.attributes["job.id"] = job.id
        span.attributes["job.queue"] = job.lease.queue
        span.attributes["job.kind"] = job.kind
        span.attributes["job.attempt"] = job.attempt
        span.attributes["worker.id"] = workerID
        tracer.startSpan("claim", context: span.context, ofKind: .internal, at: claimed).end()
    }

    var context: InstrumentationContext { span.context }

    /// A child span for the round trip that records the job's end.
    func startRecording(_ name: String) -> any Span {
        InstrumentationSystem.tracer.startSpan(name, context: span.context, ofKind: .producer)
    }

    /// Ends the job's span: succeeded, or with the failure's code and disposition.
    func end(failure: JobFailure?) {
        if let failure {
            span.attributes["job.error.code"] = failure.code
            span.attributes["job.error.disposition"] = "\(failure.disposition)"
            span.setStatus(SpanStatus(code: .error, message: failure.message))
        } else {
            span.setStatus(SpanStatus(code: .ok))
        }
        span.end()
    }
}
