import Broker
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import TestSupport

/// A gateway of its own for one test: a Redis namespace, a Postgres schema and a blob
/// directory nobody else uses, and API keys for two tenants and an operator.
struct GatewayFixture: Sendable {
    let gateway: Gateway
    let schema: String
    let blobRoot: URL
    /// Submitter of tenant `acme`.
    let acme: String
    /// Submitter of tenant `globex`.
    let globex: String
    /// Operator of tenant `acme`.
    let operatorKey: String
    static let jwtSecret = "test-secret-for-hs256-signing-0123456789"

    static func make(
        configure: (inout GatewayConfiguration) -> Void = { _ in }, logger: Logger = Logger(label: "velocity.gateway")
    ) async throws -> GatewayFixture {
        let postgresURL = try TestServers.postgresURL()
        let schema = "g_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try await PostgresConnection.connect(url: postgresURL)
        _ = try await admin.query("CREATE SCHEMA \(schema)")
        await admin.close()
        let blobRoot = FileManager.default.temporaryDirectory.appendingPathComponent("vj-blobs-\(schema)")
        var configuration = GatewayConfiguration()
        configuration.redisURL = try TestServers.redisURL()
        configuration.postgresURL = postgresURL
        configuration.postgresSchema = schema
        configuration.namespace = "t" + UUID().uuidString.prefix(8).lowercased()
        configuration.blobDirectory = blobRoot.path
        configuration.jwtSecret = jwtSecret
        configuration.redisConnections = 2
        configuration.postgresConnections = 3
        // Off unless a test turns it on: dozens of gateways polling schedules every second only
        // load the machine the timing-sensitive tests share.
        configuration.schedulerEnabled = false
        configure(&configuration)
        let gateway = try await Gateway.connect(configuration, logger: logger)
        let acme = try await gateway.keys.create(tenant: "acme", role: .submitter).token
        let globex = try await gateway.keys.create(tenant: "globex", role: .submitter).token
        let operatorKey = try await gateway.keys.create(tenant: "acme", role: .operator).token
        return GatewayFixture(
            gateway: gateway, schema: schema, blobRoot: blobRoot, acme: acme, globex: globex, operatorKey: operatorKey)
    }

    /// Runs `body` against a fresh gateway's router (services running), then tears it all down.
    static func withGateway(
        configure: (inout GatewayConfiguration) -> Void = { _ in }, logger: Logger = Logger(label: "velocity.gateway"),
        _ body: @Sendable (GatewayFixture, any TestClientProtocol) async throws -> Void
    ) async throws {
        let fixture = try await make(configure: configure, logger: logger)
        do {
            try await fixture.gateway.makeApplication().test(.router) { client in try await body(fixture, client) }
        } catch {
            await fixture.tearDown()
            throw error
        }
        await fixture.tearDown()
    }

    func tearDown() async {
        await loseRedisData()
        await gateway.close()
        if let admin = try? await PostgresConnection.connect(url: gateway.configuration.postgresURL) {
            _ = try? await admin.query("DROP SCHEMA \(schema) CASCADE")
            await admin.close()
        }
        try? FileManager.default.removeItem(at: blobRoot)
    }

    /// Deletes every Redis key of this gateway's namespace: its share of a `FLUSHALL`.
    func loseRedisData() async {
        try? await gateway.redis.deleteKeys(matching: "\(gateway.configuration.namespace):*")
    }

    /// `Authorization: Bearer <token>`, plus any extra headers.
    static func auth(_ token: String, _ extra: HTTPFields = [:]) -> HTTPFields {
        var fields: HTTPFields = [.authorization: "Bearer \(token)"]
        fields.append(contentsOf: extra)
        return fields
    }

    /// `auth` plus `Content-Type: application/json`.
    static func json(_ token: String, _ extra: HTTPFields = [:]) -> HTTPFields {
        auth(token, [.contentType: "application/json"] + extra)
    }

    /// Counts of what a refusal must not have created: job rows, Redis job hashes, committed blobs.
    func storedSomething() async throws -> (rows: Int, redisJobs: Int, blobs: Int) {
        let rows = try await gateway.postgres.withConnection { try await $0.query("SELECT count(*) FROM jobs") }
        let namespace = gateway.configuration.namespace
        let keys = try await gateway.redis.keys(matching: "\(namespace):*:job:*")
        let enumerator = FileManager.default.enumerator(atPath: blobRoot.path)
        var blobs = 0
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: blobRoot.appendingPathComponent(path).path, isDirectory: &isDirectory)
            if !isDirectory.boolValue { blobs += 1 }
        }
        return (Int(rows.rows.first?[0] ?? "0") ?? 0, keys.count, blobs)
    }
}

extension HTTPFields {
    static func + (lhs: HTTPFields, rhs: HTTPFields) -> HTTPFields {
        var fields = lhs
        fields.append(contentsOf: rhs)
        return fields
    }
}

extension ByteBuffer {
    /// The body decoded as JSON into `T`.
    func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(readableBytesView))
    }

    /// The body as a JSON object.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(readableBytesView))) as? [String: Any] ?? [:]
    }
}
