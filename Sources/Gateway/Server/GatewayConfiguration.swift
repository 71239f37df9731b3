public import Broker
import Foundation
import JobContracts
import Yams

/// Everything `velocity gateway` needs to run; read from a YAML file, then the environment
/// (`VELOCITY_…` variables win over the file), then command-line flags.
public struct GatewayConfiguration: Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var redisURL = "redis://127.0.0.1:6390"
    public var postgresURL = "postgresql://postgres@127.0.0.1:5440/velocity"
    /// Schema of the gateway's tables (nil: the server's default search path).
    public var postgresSchema: String?
    /// Key prefix in Redis, shared with the workers.
    public var namespace = "vj"
    /// Root of the directory blob store (uploads, renders, batch files).
    public var blobDirectory = ".run/blobs"
    /// `s3://bucket[/prefix]`: blobs in S3 (`blobDirectory` then only stages uploads); nil keeps
    /// them in `blobDirectory`. Opened by `velocity gateway`, which owns the S3 client.
    public var blobStore: String?
    /// Largest accepted upload (images, batch files), in bytes.
    public var maxUploadBytes = 25 * 1024 * 1024
    /// Largest CRM import CSV accepted, in bytes (a million contacts is about 150 MB).
    public var crmMaxUploadBytes = 512 * 1024 * 1024
    /// Most data rows one CRM import may have.
    public var crmMaxRows = 2_000_000
    /// HS256 secret of the platform backend's JWTs; nil accepts API keys only.
    public var jwtSecret: String?
    /// Requests per second per tenant (token bucket refill); 0 turns rate limiting off.
    public var rateLimitPerSecond = 200.0
    public var rateLimitBurst = 400
    /// Connections to each store.
    public var redisConnections = 8
    public var postgresConnections = 8
    /// Whether this process also drains the broker's outbox into Postgres (one or more
    /// processes must; the workers do too).
    public var recordSync = true
    /// Send the webhooks jobs ask for from this gateway (several may: they share the outbox).
    public var webhooksEnabled = true
    /// Let webhooks reach loopback, link-local and private addresses (refused by default: SSRF).
    public var webhookAllowInternal = false
    /// Webhook requests in flight to one host at most.
    public var webhookPerDestination = 16
    /// Run the scheduler that turns schedules' ticks into jobs (every gateway may: one job per
    /// tick however many do).
    public var schedulerEnabled = true
    /// How often the dashboard samples the queues and boxes for its charts and alerts; it keeps
    /// an hour of samples.
    public var dashboardSampleMilliseconds = 10_000
    /// The dashboard's site folder, when it is not next to the executable.
    public var dashboardDirectory: String?

    /// The Dream Weaver workflows the GPU boxes render (their manifests' names): an upload may
    /// choose one with its `workflow` field.
    public var dreamWeaverWorkflows = [DreamWeaverRender.defaultWorkflow]

    /// Queue → its fair-share weights, caps and rates, applied when the gateway starts (an
    /// operator's `PUT /v1/queues/{name}/limits` changes them until the next start with some).
    public var queueLimits: [String: QueueLimits] = [:]

    public init() {}

    /// The names this configuration reads, for documentation and `--help`.
    public static let keys: [(yaml: String, environment: String, meaning: String)] = [
        ("host", "VELOCITY_GATEWAY_HOST", "address to listen on"),
        ("port", "VELOCITY_GATEWAY_PORT", "port to listen on"),
        ("redis_url", "VELOCITY_REDIS_URL", "Redis of the broker"),
        ("postgres_url", "VELOCITY_POSTGRES_URL", "PostgreSQL of the system of record"),
        ("postgres_schema", "VELOCITY_POSTGRES_SCHEMA", "PostgreSQL schema of the tables (default: search path)"),
        ("namespace", "VELOCITY_NAMESPACE", "Redis key prefix shared with the workers"),
        ("blob_directory", "VELOCITY_BLOB_DIRECTORY", "directory of the blob store (with blob_store: S3 uploads' staging)"),
        ("blob_store", "VELOCITY_BLOB_STORE", "s3://bucket[/prefix] to keep blobs in S3 (credentials from AWS_*)"),
        ("max_upload_bytes", "VELOCITY_MAX_UPLOAD_BYTES", "largest upload accepted (default 25 MB)"),
        ("crm_max_upload_bytes", "VELOCITY_CRM_MAX_UPLOAD_BYTES", "largest CRM import CSV (default 512 MiB)"),
        ("crm_max_rows", "VELOCITY_CRM_MAX_ROWS", "most rows of one CRM import (default 2,000,000)"),
        ("jwt_secret", "VELOCITY_JWT_SECRET", "HS256 secret of platform JWTs (unset: API keys only)"),
        ("rate_limit_per_second", "VELOCITY_RATE_LIMIT_PER_SECOND", "requests/s per tenant, 0 = off"),
        ("rate_limit_burst", "VELOCITY_RATE_LIMIT_BURST", "burst per tenant"),
        ("redis_connections", "VELOCITY_REDIS_CONNECTIONS", "Redis connections"),
        ("postgres_connections", "VELOCITY_POSTGRES_CONNECTIONS", "PostgreSQL connections"),
        ("record_sync", "VELOCITY_RECORD_SYNC", "also copy terminal states into PostgreSQL (true/false)"),
        ("webhooks", "VELOCITY_WEBHOOKS", "send the webhooks jobs ask for from this gateway (true/false)"),
        (
            "webhook_allow_internal", "VELOCITY_WEBHOOK_ALLOW_INTERNAL",
            "let webhooks reach loopback and private addresses (true/false)"
        ),
        (
            "webhook_per_destination", "VELOCITY_WEBHOOK_PER_DESTINATION",
            "webhook requests in flight to one host at most (default 16)"
        ),
        (
            "dream_weaver_workflows", "VELOCITY_DREAM_WEAVER_WORKFLOWS",
            "workflows an upload may choose, comma-separated (default dream_weaver)"
        ),
        ("scheduler", "VELOCITY_SCHEDULER", "turn schedules' ticks into jobs from this gateway (true/false)"),
        (
            "dashboard_sample_ms", "VELOCITY_DASHBOARD_SAMPLE_MS",
            "how often the dashboard samples queues and boxes (default 10000 ms, at least 100)"
        ),
        (
            "queue_limits", "VELOCITY_QUEUE_LIMITS",
            "per queue: weights, caps and rates (a YAML mapping, or JSON in the environment), applied at start"
        ),
        (
            "dashboard_directory", "VELOCITY_DASHBOARD_DIRECTORY",
            "the dashboard's site folder (default: velocity-jobs_Gateway.resources/site next to the binary)"
        ),
    ]

    /// Applies `key: value` settings (from a YAML file's top level or the environment); an
    /// unknown key or a bad value is an error naming it, and then nothing is applied.
    public mutating func apply(_ settings: [String: String], source: String) throws {
        var updated = self
        try updated.applyEach(settings, source: source)
        self = updated
    }

    private mutating func applyEach(_ settings: [String: String], source: String) throws {
        for (key, value) in settings.sorted(by: { $0.key < $1.key }) {
            func int() throws -> Int {
                guard let v = Int(value), v >= 0 else {
                    throw ConfigurationError("\(source): \(key) must be a non-negative integer, not '\(value)'")
                }
                return v
            }
            switch key {
            case "host": host = value
            case "port": port = try int()
            case "redis_url": redisURL = value
            case "postgres_url": postgresURL = value
            case "postgres_schema": postgresSchema = value.isEmpty ? nil : value
            case "namespace": namespace = value
            case "blob_directory": blobDirectory = value
            case "dashboard_directory": dashboardDirectory = value.isEmpty ? nil : value
            case "blob_store": blobStore = value.isEmpty ? nil : value
            case "max_upload_bytes": maxUploadBytes = try int()
            case "crm_max_upload_bytes": crmMaxUploadBytes = max(1, try int())
            case "crm_max_rows": crmMaxRows = max(1, try int())
            case "jwt_secret": jwtSecret = value.isEmpty ? nil : value
            case "rate_limit_per_second":
                guard let v = Double(value), v >= 0 else {
                    throw ConfigurationError("\(source): rate_limit_per_second must be a non-negative number")
                }
                rateLimitPerSecond = v
            case "rate_limit_burst": rateLimitBurst = max(1, try int())
            case "redis_connections": redisConnections = max(1, try int())
            case "postgres_connections": postgresConnections = max(1, try int())
            case "webhook_per_destination": webhookPerDestination = max(1, try int())
            case "dashboard_sample_ms":
                let v = try int()
                // Every overview evaluates the alerts over an hour of samples: keep that hour small.
                guard v >= 100 else { throw ConfigurationError("\(source): dashboard_sample_ms must be at least 100") }
                dashboardSampleMilliseconds = v
            case "queue_limits": queueLimits = try Self.queueLimits(value, source: source)
            case "dream_weaver_workflows":
                let names = value.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
                guard !names.isEmpty, names.allSatisfy(DreamWeaverRender.isWorkflowName) else {
                    throw ConfigurationError(
                        "\(source): dream_weaver_workflows must be workflow names of [a-z0-9_], comma-separated, not '\(value)'")
                }
                dreamWeaverWorkflows = names
            case "record_sync", "webhooks", "webhook_allow_internal", "scheduler":
                guard let v = Bool(value.lowercased()) else {
                    throw ConfigurationError("\(source): \(key) must be true or false")
                }
                switch key {
                case "record_sync": recordSync = v
                case "webhooks": webhooksEnabled = v
                case "scheduler": schedulerEnabled = v
                default: webhookAllowInternal = v
                }
            default:
                throw ConfigurationError(
                    "\(source): unknown setting '\(key)'; known: \(Self.keys.map(\.yaml).joined(separator: ", "))")
            }
        }
    }

    /// Settings from `VELOCITY_…` variables.
    public mutating func apply(environment: [String: String]) throws {
        var settings: [String: String] = [:]
        for key in Self.keys {
            if let value = environment[key.environment] { settings[key.yaml] = value }
        }
        try apply(settings, source: "environment")
    }
}

extension GatewayConfiguration {
    /// The settings of a YAML document: its top-level scalars, and `queue_limits` (the one
    /// nested setting) as the YAML text of its mapping.
    public static func settings(yaml text: String, source: String) throws -> [String: String] {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ConfigurationError("\(source) is not valid YAML: \(error)")
        }
        guard let node else { return [:] }
        guard let mapping = node.mapping else { throw ConfigurationError("\(source): expected a mapping of settings") }
        var settings: [String: String] = [:]
        for (key, value) in mapping {
            if key.string == "queue_limits", value.mapping != nil {
                settings["queue_limits"] = try Yams.serialize(node: value)
                continue
            }
            guard let name = key.string, let scalar = value.scalar else {
                throw ConfigurationError("\(source): setting '\(key.string ?? "?")' must be a single value")
            }
            settings[name] = scalar.string
        }
        return settings
    }

    /// `queue_limits` as YAML (JSON is YAML too): a mapping of queue names to `QueueLimits`,
    /// each rule checked as the broker will check it.
    static func queueLimits(_ text: String, source: String) throws -> [String: QueueLimits] {
        let limits: [String: QueueLimits]
        do {
            limits = try YAMLDecoder().decode([String: QueueLimits].self, from: text)
        } catch {
            throw ConfigurationError("\(source): queue_limits must map queue names to weights, caps and rates: \(error)")
        }
        for (queue, rules) in limits {
            do {
                try rules.validate()
            } catch let error as BrokerError {
                throw ConfigurationError("\(source): queue_limits.\(queue).\(error.message)")
            }
        }
        return limits
    }
}

/// A configuration file or value that cannot be used.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
