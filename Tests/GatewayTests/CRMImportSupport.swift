import BlobStore
import Broker
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JobContracts
import Logging
import NIOCore
import PlatformStore
import PostgresClient
import Testing

@testable import Workers

/// Building blocks of the CRM import tests: uploads, the fixtures, running the import's steps
/// with the real processor, and reading the tables.
enum CRMImportSupport {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("CRMImportTests/Fixtures")

    static func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: fixtures.appendingPathComponent(name)))
    }

    static func upload(
        _ client: some TestClientProtocol, token: String, file: [UInt8]?, filename: String = "leads.csv",
        fields: [(String, String)] = [], headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = BatchTestSupport.multipartHeaders(token)
        for field in extra { headers.append(field) }
        return try await client.execute(
            uri: "/api/crm/imports", method: .post, headers: headers,
            body: BatchTestSupport.multipart(fields: fields, file: file, filename: filename))
    }

    static func processor(_ fixture: GatewayFixture) throws -> CRMImportProcessor {
        CRMImportProcessor(
            store: CRMImportStore(postgres: fixture.gateway.postgres),
            blobs: try FileBlobStore(root: fixture.blobRoot), logger: Logger(label: "test.crm"))
    }

    /// The home-made fixture uploaded for acme, ingested, every proposal approved, and the
    /// batch moved to `committing`: ready for the commit step. Returns its id.
    static func approvedAndCommitting(_ client: some TestClientProtocol, _ fixture: GatewayFixture) async throws
        -> String
    {
        let uploaded = try await upload(client, token: fixture.acme, file: try Self.fixture("homemade_leads.csv"))
        let id = try #require(uploaded.body.json["id"] as? String)
        try await run(.ingest, id, fixture)
        _ = try await review(client, fixture.operatorKey, id, #"{"bulk":[{"decision":"approve","where":{}}]}"#)
        try await CRMImportStore(postgres: fixture.gateway.postgres).beginCommit(batchID: id, tenant: "acme")
        return id
    }

    /// Runs `step` of the batch to its end with the real processor (no queue).
    @discardableResult
    static func run(_ step: CRMImportJob.Step, _ id: String, _ fixture: GatewayFixture) async throws -> CRMImportBatch {
        let store = CRMImportStore(postgres: fixture.gateway.postgres)
        let batch = try #require(try await store.batch(id: id))
        return try await processor(fixture).run(step, batch, progress: { _, _, _ in })
    }

    static func get(_ client: some TestClientProtocol, _ token: String, _ id: String, query: String = "") async throws
        -> [String: Any]
    {
        let response = try await client.execute(
            uri: "/api/crm/imports/\(id)\(query)", method: .get, headers: GatewayFixture.auth(token))
        #expect(response.status == .ok)
        return response.body.json
    }

    static func review(_ client: some TestClientProtocol, _ token: String, _ id: String, _ body: String) async throws
        -> TestResponse
    {
        try await client.execute(
            uri: "/api/crm/imports/\(id)/review-proposal", method: .put, headers: GatewayFixture.json(token),
            body: ByteBuffer(string: body))
    }

    static func commit(_ client: some TestClientProtocol, _ token: String, _ id: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/api/crm/imports/\(id)/commit", method: .post, headers: GatewayFixture.auth(token))
    }

    static func count(_ fixture: GatewayFixture, _ sql: String, _ parameters: [String?] = []) async throws -> Int {
        let rows = try await fixture.gateway.postgres.withConnection { try await $0.query(sql, parameters) }
        return Int(rows.rows.first?.first.flatMap { $0 } ?? "0") ?? -1
    }

    static func proposals(_ body: [String: Any]) -> [[String: Any]] {
        ((body["proposals_page"] as? [String: Any])?["data"] as? [[String: Any]]) ?? []
    }
}
