public import Instrumentation
public import Tracing

/// The trace context a job carries from its submit to the worker that runs it, as a W3C
/// `traceparent` (`00-<trace id>-<span id>-<flags>`).
///
/// Tracing is off until the process installs a tracer (`InstrumentationSystem.bootstrap`, done
/// by `velocity` when an OTLP endpoint is configured); then every function here returns nil
/// or runs its body plainly, and no span is made.
public enum JobTrace {
    /// Whether the process has a tracer other than the no-op one.
    public static var isEnabled: Bool { !(InstrumentationSystem.tracer is NoOpTracer) }

    /// The `traceparent` of `context`'s span; nil without one (or with tracing off).
    public static func traceParent(of context: InstrumentationContext) -> String? {
        var carrier: [String: String] = [:]
        InstrumentationSystem.tracer.inject(context, into: &carrier, using: TraceParentCarrier())
        return carrier["traceparent"]
    }

    /// The `traceparent` of the span the calling task runs in, if any.
    public static var current: String? {
        guard let context = InstrumentationContext.current else { return nil }
        return traceParent(of: context)
    }

    /// A context whose parent span is the one `traceParent` names (top level when it names none
    /// the tracer can read).
    public static func context(traceParent: String?) -> InstrumentationContext {
        var context = InstrumentationContext.topLevel
        if let traceParent {
            InstrumentationSystem.tracer.extract(
                ["traceparent": traceParent], into: &context, using: TraceParentCarrier())
        }
        return context
    }

    /// The trace id and span id of a `traceparent`, for log lines.
    public static func ids(of traceParent: String) -> (traceID: Substring, spanID: Substring)? {
        let parts = traceParent.split(separator: "-")
        guard parts.count >= 4, parts[1].count == 32, parts[2].count == 16 else { return nil }
        return (parts[1], parts[2])
    }

    /// Runs `body` in a client span named `name` when the calling task is in a trace (a job's
    /// backend call), else plainly: a health probe outside any job makes no trace of its own.
    /// `body` gets the call's `traceparent` to send on, and records the answer's status.
    public static func clientCall<T>(
        _ name: @autoclosure () -> String, attributes: @autoclosure () -> [String: String] = [:],
        _ body: (ClientCall) async throws -> T
    ) async throws -> T {
        guard let parent = InstrumentationContext.current, traceParent(of: parent) != nil else {
            return try await body(ClientCall(span: nil))
        }
        // Named only inside a trace: outside one a call costs one task-local read.
        let span = InstrumentationSystem.tracer.startSpan(name(), context: parent, ofKind: .client)
        for (key, value) in attributes() { span.attributes[key] = value }
        do {
            let value = try await InstrumentationContext.$current.withValue(span.context) {
                try await body(ClientCall(span: span))
            }
            span.end()
            return value
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            span.end()
            throw error
        }
    }

    /// `service METHOD /path` for a request to `url`: the query left out and ids in the path
    /// (a UUID, a long hex or numeric segment) written `{id}`, so names stay few.
    public static func callName(_ service: String, method: String, url: String) -> String {
        var path = Substring(url)
        if let scheme = path.firstRange(of: "://") { path = path[scheme.upperBound...] }
        path = path.drop { $0 != "/" }
        if let query = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<query] }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map { segment -> Substring in
            let isID =
                segment.count >= 8
                && segment.allSatisfy { $0.isHexDigit || $0 == "-" } && segment.contains(where: \.isNumber)
            return isID ? "{id}" : segment
        }
        return "\(service) \(method) \(path.isEmpty ? "/" : segments.joined(separator: "/"))"
    }

    /// One backend call's span, as `clientCall` hands it to its body.
    public struct ClientCall: Sendable {
        let span: (any Span)?

        /// The `traceparent` to send with the request; nil outside a trace.
        public var traceParent: String? { span.flatMap { JobTrace.traceParent(of: $0.context) } }

        /// Records the HTTP status the server answered; 5xx marks the span failed.
        public func record(status: Int) {
            guard let span else { return }
            span.attributes["http.response.status_code"] = status
            if status >= 500 { span.setStatus(SpanStatus(code: .error)) }
        }
    }
}
