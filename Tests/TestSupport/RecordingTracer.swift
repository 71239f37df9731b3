public import Instrumentation
import Synchronization
public import Tracing

/// A tracer that speaks W3C trace context (`traceparent`) as OpenTelemetry's does, and keeps
/// the finished spans of the traces a test watches: the in-process exporter of the trace tests.
///
/// A process has one tracer (`InstrumentationSystem.bootstrap` runs once), so `installed`
/// bootstraps it the first time a test asks; spans of traces nobody watches are dropped as
/// they end, so the other tests of the process (traced as well from then on) cost no memory.
public final class RecordingTracer: Tracer, Sendable {
    /// A span as it ended.
    public struct Finished: Sendable, CustomStringConvertible {
        public var name: String
        public var kind: SpanKind
        public var traceID: String
        public var spanID: String
        public var parentSpanID: String?
        public var attributes: [String: String]
        public var failed: Bool
        public var startNanoseconds: UInt64
        public var endNanoseconds: UInt64

        public var description: String { "\(name) [\(spanID) ← \(parentSpanID ?? "root")]" }
    }

    public static let installed: RecordingTracer = {
        let tracer = RecordingTracer()
        InstrumentationSystem.bootstrap(tracer)
        return tracer
    }()

    private let state = Mutex<(watched: Set<String>, finished: [String: [Finished]])>(([], [:]))

    /// A new trace id to start a trace under, watched from now on.
    public func newTrace() -> String {
        let id = Self.randomHex(bytes: 16)
        state.withLock { _ = $0.watched.insert(id) }
        return id
    }

    /// A `traceparent` naming a new, watched trace, as a client would send with a request.
    public func newTraceParent() -> (traceParent: String, traceID: String, spanID: String) {
        let trace = newTrace()
        let span = Self.randomHex(bytes: 8)
        return ("00-\(trace)-\(span)-01", trace, span)
    }

    /// The finished spans of a watched trace, in the order they ended.
    public func spans(trace: String) -> [Finished] {
        state.withLock { $0.finished[trace] ?? [] }
    }

    func finished(_ span: Finished) {
        state.withLock { state in
            if state.watched.contains(span.traceID) { state.finished[span.traceID, default: []].append(span) }
        }
    }

    // MARK: Tracer

    public func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> InstrumentationContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> RecordedSpan {
        let parent = context()
        let ids = SpanIDs(
            traceID: parent.spanIDs?.traceID ?? Self.randomHex(bytes: 16), spanID: Self.randomHex(bytes: 8),
            parentSpanID: parent.spanIDs?.spanID)
        var spanContext = parent
        spanContext.spanIDs = ids
        return RecordedSpan(
            name: operationName, kind: kind, context: spanContext, start: instant().nanosecondsSinceEpoch, tracer: self)
    }

    public func forceFlush() {}

    public func inject<Carrier, Inject: Injector>(
        _ context: InstrumentationContext, into carrier: inout Carrier, using injector: Inject
    ) where Carrier == Inject.Carrier {
        guard let ids = context.spanIDs else { return }
        injector.inject("00-\(ids.traceID)-\(ids.spanID)-01", forKey: "traceparent", into: &carrier)
    }

    public func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier, into context: inout InstrumentationContext, using extractor: Extract
    ) where Carrier == Extract.Carrier {
        guard let value = extractor.extract(key: "traceparent", from: carrier) else { return }
        let parts = value.split(separator: "-")
        guard parts.count == 4, parts[1].count == 32, parts[2].count == 16 else { return }
        context.spanIDs = SpanIDs(traceID: String(parts[1]), spanID: String(parts[2]), parentSpanID: nil)
    }

    public static func randomHex(bytes: Int) -> String {
        (0..<bytes).map { _ in
            let byte = UInt8.random(in: 0...255)
            return String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16)
        }.joined()
    }
}

/// A span's ids, kept in its context.
struct SpanIDs: Sendable {
    var traceID: String
    var spanID: String
    var parentSpanID: String?
}

enum SpanIDsKey: InstrumentationContextKey {
    typealias Value = SpanIDs
}

extension InstrumentationContext {
    var spanIDs: SpanIDs? {
        get { self[SpanIDsKey.self] }
        set { self[SpanIDsKey.self] = newValue }
    }
}

/// A span of `RecordingTracer`.
public final class RecordedSpan: Tracing.Span, Sendable {
    private struct State {
        var name: String
        var attributes: SpanAttributes = [:]
        var failed = false
        var ended = false
    }

    public let context: InstrumentationContext
    let kind: SpanKind
    let start: UInt64
    let tracer: RecordingTracer
    private let state: Mutex<State>

    init(name: String, kind: SpanKind, context: InstrumentationContext, start: UInt64, tracer: RecordingTracer) {
        self.context = context
        self.kind = kind
        self.start = start
        self.tracer = tracer
        self.state = Mutex(State(name: name))
    }

    public var operationName: String {
        get { state.withLock { $0.name } }
        set { state.withLock { $0.name = newValue } }
    }

    public var attributes: SpanAttributes {
        get { state.withLock { $0.attributes } }
        set { state.withLock { $0.attributes = newValue } }
    }

    public var isRecording: Bool { state.withLock { !$0.ended } }

    public func setStatus(_ status: SpanStatus) {
        state.withLock { $0.failed = status.code == .error }
    }

    public func addEvent(_ event: SpanEvent) {}

    public func recordError<Instant: TracerInstant>(
        _ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant
    ) {
        state.withLock { $0.failed = true }
    }

    public func addLink(_ link: SpanLink) {}

    static func text(_ value: SpanAttribute) -> String {
        switch value {
        case .string(let text): text
        case .int64(let number): String(number)
        case .int32(let number): String(number)
        case .double(let number): String(number)
        case .bool(let flag): String(flag)
        case .stringConvertible(let convertible): convertible.description
        default: "\(value)"
        }
    }

    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        let ended = state.withLock { state -> State? in
            guard !state.ended else { return nil }
            state.ended = true
            return state
        }
        guard let ended, let ids = context.spanIDs else { return }
        var attributes: [String: String] = [:]
        ended.attributes.forEach { key, value in attributes[key] = Self.text(value) }
        tracer.finished(
            RecordingTracer.Finished(
                name: ended.name, kind: kind, traceID: ids.traceID, spanID: ids.spanID, parentSpanID: ids.parentSpanID,
                attributes: attributes, failed: ended.failed, startNanoseconds: start,
                endNanoseconds: instant().nanosecondsSinceEpoch))
    }
}
