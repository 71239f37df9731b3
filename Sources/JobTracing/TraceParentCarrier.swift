public import Instrumentation

/// A string dictionary as the carrier of a trace context: what a tracer injects into it and
/// extracts from it (W3C's `traceparent`, and `tracestate` where it keeps one).
public struct TraceParentCarrier: Injector, Extractor {
    public init() {}

    public func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }

    public func extract(key: String, from carrier: [String: String]) -> String? {
        carrier[key]
    }
}
