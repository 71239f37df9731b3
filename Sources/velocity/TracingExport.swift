import Foundation
import Instrumentation
import OTel
import ServiceLifecycle

/// Traces leave the process over OTLP/HTTP (swift-otel) when an endpoint is configured with
/// the standard variables (`OTEL_EXPORTER_OTLP_ENDPOINT`, or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`;
/// `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_SERVICE_NAME`, `OTEL_TRACES_SAMPLER`… are honoured).
/// Without one, no tracer is installed and tracing costs nothing: no span is made.
enum TracingExport {
    /// Installs the tracer and returns the service that batches and sends spans; run it first in
    /// the process's service group, so it stops last and flushes what the others ended.
    static func start(service: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> (any Service)?
    {
        guard environment["OTEL_EXPORTER_OTLP_ENDPOINT"] != nil || environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] != nil,
            environment["OTEL_SDK_DISABLED"]?.lowercased() != "true"
        else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = service
        // Metrics stay Prometheus's (/metrics), logs stay on stderr with trace ids in them.
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.diagnosticLogLevel = .warning
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(backend.factory)
        return backend.service
    }
}
