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

        .target(
            name: "Broker",
            dependencies: [
                "CHiredis", "CLibpq",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "Producer",
            dependencies: ["Broker", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        .target(
            name: "Workers",
            dependencies: [
                "Broker",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "Gateway",
            dependencies: ["Broker", "Producer", "CLibpng"],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "velocity",
            dependencies: [
                "Broker", "Producer", "Workers",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "TestSupport",
            dependencies: ["Broker"],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings),
        .testTarget(
            name: "BrokerTests",
            dependencies: ["Broker", "Producer", "Workers", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "PostgresClientTests",
            dependencies: ["Broker", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "RedisClientTests",
            dependencies: ["Broker", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CLibraryTests",
            dependencies: ["CCurl", "CLibpng", "Gateway"],
            swiftSettings: swiftSettings),
    ]
)
