import ArgumentParser
import CurlClient
import Foundation
import Gateway
import Hummingbird
import Logging
import S3BlobStore

/// `velocity gateway`: serves the HTTP API.
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Serve the HTTP gateway (jobs, Dream Weaver, OpenAI batches, queues, metrics).",
        discussion: """
            Settings come from a YAML file (--config), then VELOCITY_… environment variables, then flags; \
            later sources win. Settings (YAML key / environment variable):
            \(GatewayConfiguration.keys.map { "  \($0.yaml) / \($0.environment): \($0.meaning)" }.joined(separator: "\n"))
            """)

    @Option(help: "YAML file of settings (top-level keys as listed below).")
    var config: String?

    @Option(help: "Address to listen on.")
    var host: String?

    @Option(help: "Port to listen on.")
    var port: Int?

    @Option(
        help:
            "Redis URL: redis://… for one server, redis-cluster://host:port[,…] for a Redis Cluster, redis-sentinel://host:port[,…]/master for Sentinel."
    )
    var redisURL: String?

    @Option(help: "PostgreSQL URL.")
    var postgresURL: String?

    @OptionGroup var blobStore: BlobStoreOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let configuration = try resolvedConfiguration(environment: environment)
        let logger = Logger.velocity("velocity.gateway")
        let http = CurlHTTPClient()
        let location: BlobStoreLocation
        do {
            location = try BlobStoreLocation(blobStore.blobStore ?? configuration.blobStore ?? configuration.blobDirectory)
        } catch {
            throw ValidationError("blob_store: \(error)")
        }
        let blobs = try location.open(http: http, stagingDirectory: configuration.blobDirectory + "/.s3-staging")
        let tracing = try TracingExport.start(service: "velocity-gateway")
        let gateway = try await Gateway.connect(configuration, blobs: blobs, logger: logger)
        logger.info(
            "gateway listening on http://\(configuration.host):\(configuration.port)",
            metadata: ["redis": "\(configuration.redisURL)", "blobs": "\(location)"])
        do {
            try await gateway.makeApplication(first: tracing.map { [$0] } ?? []).runService()
        } catch {
            await gateway.close()
            try? await http.shutdown()
            throw error
        }
        await gateway.close()
        try? await http.shutdown()
    }

    func resolvedConfiguration(environment: [String: String]) throws -> GatewayConfiguration {
        var configuration = GatewayConfiguration()
        if let config {
            try configuration.apply(try Self.settings(fromYAMLFile: config), source: config)
        }
        try configuration.apply(environment: environment)
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        if let redisURL { configuration.redisURL = redisURL }
        if let postgresURL { configuration.postgresURL = postgresURL }
        if let directory = blobStore.blobDirectory { configuration.blobDirectory = directory }
        return configuration
    }

    /// The settings of a YAML file (`GatewayConfiguration.settings(yaml:source:)`).
    static func settings(fromYAMLFile path: String) throws -> [String: String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read configuration file \(path)")
        }
        do {
            return try GatewayConfiguration.settings(yaml: text, source: path)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }
}
