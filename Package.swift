// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "velocity-jobs",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "velocity", targets: ["velocity"]),
        .library(name: "Broker", targets: ["Broker"]),
        .library(name: "Producer", targets: ["Producer"]),
        .library(name: "Workers", targets: ["Workers"]),
        .library(name: "Gateway", targets: ["Gateway"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        // OTLP/HTTP only: the gRPC exporter would build grpc-swift for nothing.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // C libraries, through pkg-config, each with a shim of typed wrappers.
        .systemLibrary(
            name: "CHiredis", pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(
            name: "CLibpq", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]),
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CLibpng", pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]),
        // glibc's malloc.h (mallopt): part of libc, nothing to link.
        .systemLibrary(name: "CMalloc"),

        // The leaf every target may import: error codes and the error protocol, job states,
        // the JSON value, backoff, the dedicated-thread executor of the C clients.
        .target(name: "VelocityTypes", swiftSettings: swiftSettings),
        .target(
            name: "RedisClient",
            dependencies: ["VelocityTypes", "CHiredis", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        .target(
            name: "PostgresClient",
            dependencies: ["VelocityTypes", "CLibpq", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        // Traces across processes: the W3C traceparent a job carries, spans of the work it
        // causes, trace ids in log lines. Exporting them (OTLP) is the executable's business.
        .target(
            name: "JobTracing",
            dependencies: [
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "Broker",
            dependencies: [
                "VelocityTypes", "RedisClient", "PostgresClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        // A job kind, its payload type and its result type, declared once for every process.
        .target(
            name: "JobContracts",
            dependencies: ["VelocityTypes"],
            swiftSettings: swiftSettings),
        // JSON Schema (draft 2020-12) validation, and the structured answers of LLMs built on it:
        // recovery of half-broken JSON, the schema check, the feedback sent back to the model.
        .target(name: "JSONSchema", dependencies: ["VelocityTypes"], swiftSettings: swiftSettings),
        .target(name: "StructuredOutput", dependencies: ["VelocityTypes", "JSONSchema"], swiftSettings: swiftSettings),
        // CRM imports without I/O: streaming CSV (encodings, dialects, RFC 4180), column mapping,
        // normalization (E.164 phones, Indian budgets, names), grouping rows into proposals.
        .target(name: "CRMImport", dependencies: ["VelocityTypes"], swiftSettings: swiftSettings),
        // The platform's tables that job kinds write (intel_qd_scores, oracle synthetic examples,
        // the CRM's canonical tables and its import artifacts).
        .target(
            name: "PlatformStore",
            dependencies: [
                "VelocityTypes", "PostgresClient", "JobContracts", "CRMImport",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "Producer",
            dependencies: [
                "Broker", "JobContracts", "JobTracing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "CurlClient",
            dependencies: [
                "VelocityTypes", "CCurl", "JobTracing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "BlobStore",
            dependencies: ["VelocityTypes", .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: swiftSettings),
        .target(
            name: "Images",
            dependencies: ["VelocityTypes", "CLibpng"],
            swiftSettings: swiftSettings),
        .target(
            name: "GPUBox",
            dependencies: [
                "VelocityTypes", "RedisClient", "PostgresClient", "Broker", "JobContracts",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "Webhooks",
            dependencies: [
                "VelocityTypes", "CurlClient", "PostgresClient", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        // Recurring jobs: cron in IANA time zones (pure), the schedule tables, and the scheduler
        // that turns each tick into exactly one job however many gateways run it.
        .target(
            name: "Schedules",
            dependencies: [
                "VelocityTypes", "Broker", "PostgresClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "S3",
            dependencies: ["VelocityTypes", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings),
        .target(
            name: "S3BlobStore",
            dependencies: ["BlobStore", "S3", "CurlClient", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings),
        .target(
            name: "Hydration",
            dependencies: [
                "VelocityTypes", "CurlClient", "S3",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "Workers",
            dependencies: [
                "VelocityTypes", "Broker", "JobContracts", "BlobStore", "Images", "CurlClient", "GPUBox",
                "StructuredOutput", "PlatformStore", "CRMImport", "JobTracing",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "Emulators",
            dependencies: [
                "Images", "VelocityTypes", "JSONSchema",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "Gateway",
            dependencies: [
                "VelocityTypes", "Broker", "JobContracts", "Producer", "BlobStore", "Images", "GPUBox", "PlatformStore",
                "JSONSchema", "CRMImport", "Webhooks", "CurlClient", "Schedules", "JobTracing",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            // The dashboard's HTML, CSS and JavaScript modules, served as they are (no build step).
            resources: [.copy("Dashboard/site")],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "velocity",
            dependencies: [
                "S3BlobStore", "Webhooks", "Schedules", "JobTracing",
                .product(name: "OTel", package: "swift-otel"),
                "Broker", "JobContracts", "Producer", "Workers", "Gateway", "CurlClient", "GPUBox", "Hydration", "Emulators",
                "BlobStore", "PlatformStore", "CRMImport", "CMalloc",
                .product(name: "Yams", package: "Yams"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "TestSupport",
            dependencies: [
                "Broker", "RedisClient", "S3", "CurlClient", "VelocityTypes", .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings),
        // libFuzzer targets of the parsers that read outside bytes (ops/fuzz.sh builds
        // velocity-fuzz with -sanitize=fuzzer; a plain build of it replays inputs).
        .target(
            name: "FuzzTargets",
            dependencies: [
                "VelocityTypes", "Images", "CRMImport", "JSONSchema", "StructuredOutput", "CurlClient", "BlobStore", "Gateway",
                "Workers", .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(name: "velocity-fuzz", dependencies: ["FuzzTargets"], swiftSettings: swiftSettings),
        .testTarget(name: "FuzzTargetsTests", dependencies: ["FuzzTargets", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "BrokerTests",
            dependencies: ["Broker", "JobContracts", "Producer", "Workers", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "JobContractsTests",
            dependencies: ["JobContracts", "VelocityTypes"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CRMImportTests",
            dependencies: ["CRMImport", "VelocityTypes"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "JSONSchemaTests",
            dependencies: ["JSONSchema", "VelocityTypes"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "StructuredOutputTests",
            dependencies: ["StructuredOutput", "JSONSchema", "VelocityTypes"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "PostgresClientTests",
            dependencies: ["PostgresClient", "VelocityTypes", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "RedisClientTests",
            dependencies: ["RedisClient", "VelocityTypes", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "SchedulesTests",
            dependencies: ["Schedules", "Broker", "PostgresClient", "TestSupport", "VelocityTypes"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "WebhooksTests",
            dependencies: ["Webhooks", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "Gateway", "Broker", "JobContracts", "Producer", "BlobStore", "Images", "GPUBox", "TestSupport",
                "PlatformStore", "VelocityTypes", "CRMImport", "Workers", "S3", "S3BlobStore", "CurlClient", "Webhooks",
                "Schedules",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CurlClientTests",
            dependencies: [
                "CurlClient", "TestSupport", "Webhooks", "GPUBox",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CLibraryTests",
            dependencies: ["CCurl", "CLibpng", "Images"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "HydrationTests",
            dependencies: [
                "Hydration", "CurlClient", "TestSupport", "S3",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "GPUBoxTests",
            dependencies: ["GPUBox", "Broker", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "EmulatorTests",
            dependencies: [
                "Emulators", "Images", "CurlClient", "GPUBox", "TestSupport", "VelocityTypes",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "WorkersTests",
            dependencies: [
                "S3", "S3BlobStore",
                "Workers", "Emulators", "Broker", "JobContracts", "Producer", "BlobStore", "Images", "GPUBox", "Hydration",
                "Gateway", "TestSupport", "StructuredOutput", "PlatformStore", "CRMImport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings),
    ]
)
