public import Instrumentation
public import Logging

extension Logger.MetadataProvider {
    /// `trace_id` and `span_id` of the span the logging task runs in, so a log line can be found
    /// from its trace and the other way round; nothing outside a trace or with tracing off.
    public static let traceIDs = Logger.MetadataProvider {
        guard let parent = JobTrace.current, let ids = JobTrace.ids(of: parent) else { return [:] }
        return ["trace_id": .string(String(ids.traceID)), "span_id": .string(String(ids.spanID))]
    }
}
