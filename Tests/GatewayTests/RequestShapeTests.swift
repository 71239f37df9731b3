import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresClient
import Testing

@testable import Gateway

/// What a request's shape earns before any route's own checks: a method the path does not
/// take is 405 with `Allow`; U+0000 anywhere (path, query, JSON text) is a 422 naming where;
/// path parameters reach the routes percent-decoded.
@Suite("Request shape: methods, U+0000, percent-encoding")
struct RequestShapeTests {
    typealias M = SecurityMatrix

    static let methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]

    static func details(_ response: TestResponse) -> [String: String] {
        ((response.body.json["error"] as? [String: Any])?["details"] as? [String: String]) ?? [:]
    }

    @Test("every documented path asked with a method it does not take is 405 with Allow, and changes nothing")
    func methodNotAllowed() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let admin = try await fixture.gateway.keys.create(tenant: "acme", role: .admin).token
            // Ids of nothing: the 405 comes before any lookup.
            let id = UUID().uuidString.lowercased()
            let resources = M.Resources(
                job: id, render: id, file: id, batch: id, runtimeBatch: id, crmImport: id, person: "p-1", signal: id,
                syntheticJob: id, schedule: id)
            let before = try await fixture.state(ignoringRedis: SecurityMatrixTests.movingKeys)
            var asked = 0
            for operation in OpenAPIDocument.operations {
                let target = try #require(M.targets["\(operation.method) \(operation.path)"])
                let uri = resources.path(operation, target: target)
                let path = String(uri.split(separator: "?")[0])
                let allowed = OpenAPIDocument.methods(at: path)
                #expect(allowed.contains(operation.method), "\(operation.method) \(operation.path) at \(path)")
                for method in Self.methods where !allowed.contains(method) {
                    let response = try await client.execute(
                        uri: uri, method: HTTPRequest.Method(method)!, headers: GatewayFixture.json(admin),
                        body: ByteBuffer(string: "{}"))
                    #expect(response.status == .methodNotAllowed, "\(method) \(path)")
                    #expect(response.headers[.allow] == allowed.joined(separator: ", "), "\(method) \(path)")
                    #expect(AuthTests.errorCode(response) == "method_not_allowed", "\(method) \(path)")
                    asked += 1
                }
            }
            #expect(asked > 50)
            // A path nobody serves stays a 404, whatever the method.
            for method in Self.methods {
                let response = try await client.execute(
                    uri: "/v1/nothing-here", method: HTTPRequest.Method(method)!, headers: GatewayFixture.auth(admin))
                #expect(response.status == .notFound, "\(method) /v1/nothing-here")
                #expect(response.headers[.allow] == nil)
            }
            let after = try await fixture.state(ignoringRedis: SecurityMatrixTests.movingKeys)
            #expect(GatewayFixture.changes(before, after) == [])
        }
    }

    @Test("HEAD is served wherever GET is, with GET's status and headers and no body; Allow says so")
    func head() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            for uri in ["/health", "/v1/jobs", "/openapi.json"] {
                let get = try await client.execute(uri: uri, method: .get, headers: GatewayFixture.auth(fixture.acme))
                let head = try await client.execute(uri: uri, method: .head, headers: GatewayFixture.auth(fixture.acme))
                #expect(head.status == get.status, "HEAD \(uri)")
                #expect(head.headers[.contentType] == get.headers[.contentType], "HEAD \(uri)")
                #expect(head.body.readableBytes == 0, "HEAD \(uri)")
            }
            let delete = try await client.execute(uri: "/v1/jobs", method: .delete, headers: GatewayFixture.auth(fixture.acme))
            #expect(delete.headers[.allow] == "GET, HEAD, POST")
        }
    }

    @Test("the 405 answers only after authentication: without credentials it is still 401")
    func methodNotAllowedNeedsCredentials() async throws {
        try await GatewayFixture.withGateway { _, client in
            let response = try await client.execute(uri: "/v1/jobs", method: .delete)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.allow] == nil)
        }
    }

    @Test(
        "U+0000 in a path, a query or JSON text is a 422 naming where, and nothing is stored",
        arguments: [
            ("GET", "/v1/jobs?kind=cpu%00task", nil, "kind"),
            ("GET", "/v1/jobs?sta%00te=queued", nil, "sta%00te"),
            ("GET", "/v1/jobs/abc%00def", nil, "path"),
            ("GET", "/api/crm/qd/p%00x", nil, "path"),
            ("POST", "/v1/jobs", #"{"kind":"cpu.task","payload":{"file":"a\u0000b"}}"#, "body"),
            ("POST", "/v1/jobs", #"{"kind":"cpu.task","payload":{"a\u0000":1}}"#, "body"),
        ] as [(String, String, String?, String)]
    )
    func nul(method: String, uri: String, body: String?, field: String) async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let admin = try await fixture.gateway.keys.create(tenant: "acme", role: .admin).token
            let before = try await fixture.state(ignoringRedis: SecurityMatrixTests.movingKeys)
            let response = try await client.execute(
                uri: uri, method: HTTPRequest.Method(method)!, headers: GatewayFixture.json(admin),
                body: body.map { ByteBuffer(string: $0) })
            #expect(response.status == .unprocessableContent, "\(String(buffer: response.body))")
            #expect(AuthTests.errorCode(response) == "invalid_request")
            #expect(Self.details(response)["field"] == field)
            let after = try await fixture.state(ignoringRedis: SecurityMatrixTests.movingKeys)
            #expect(GatewayFixture.changes(before, after) == [])
        }
    }

    @Test("PostgreSQL's own refusal of U+0000 (22P05) answers the same 422, not a 500")
    func postgresRefusalOfNUL() async throws {
        try await GatewayFixture.withGateway { fixture, _ in
            let error = try await #require(throws: PostgresError.self) {
                _ = try await fixture.gateway.postgres.withConnection {
                    try await $0.query("SELECT $1::jsonb", [#"{"a":"x\u0000y"}"#])
                }
            }
            let answer = ErrorMiddleware<GatewayContext>.map(error)
            #expect(answer.status == .unprocessableContent)
            #expect(answer.code == .invalidRequest)
            #expect(answer.details["field"] == "body")
        }
    }

    @Test("an escaped backslash before u0000 is text, not U+0000: the job is taken and keeps it")
    func escapedBackslashIsNotNUL() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let response = try await client.execute(
                uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme),
                body: ByteBuffer(string: #"{"kind":"cpu.task","payload":{"file":"C:\\u0000.csv"}}"#))
            #expect(response.status == .accepted, "\(String(buffer: response.body))")
            let id = try #require(response.body.json["id"] as? String)
            let rows = try await fixture.gateway.postgres.withConnection {
                try await $0.query("SELECT payload FROM jobs WHERE id = $1", [id])
            }.rows
            let payload = try JSONSerialization.jsonObject(with: Data((rows.first?[0] ?? "").utf8)) as? [String: Any]
            #expect(payload?["file"] as? String == #"C:\u0000.csv"#)
        }
    }

    @Test(
        "JSON text spells U+0000 only as an unescaped \\u0000",
        arguments: [
            (#"{"a":"\u0000"}"#, true), (#"{"\u0000":1}"#, true), (#"{"a":"x\u0000"}"#, true),
            (#"{"a":"\\u0000"}"#, false), (#"{"a":"\u0041"}"#, false), (#"{"a":"\u00000"}"#, true),
            (#"{"a":"\\\u0000"}"#, true), (#"{"a":"u0000"}"#, false), (#"{"a":"\u000"}"#, false),
        ])
    func escapedNUL(json: String, expected: Bool) {
        #expect(JSONResponse.containsEscapedNUL(Array(json.utf8)) == expected, "\(json)")
    }

    @Test(
        "a cursor the document's pattern refuses is refused by the route too (a sign, 19 digits, fullwidth hex)",
        arguments: [
            ("crm", "%2B5"), ("crm", "1234567890123456789"), ("crm", "%EF%BC%95"),
            ("schedules", "sch_" + String(repeating: "%EF%BC%90", count: 32)),
            ("schedules", "SCH_" + String(repeating: "0", count: 32)),
        ])
    func cursors(route: String, cursor: String) async throws {
        try await GatewayFixture.withGateway { fixture, client in
            var uri = "/v1/schedules?cursor=\(cursor)"
            if route == "crm" {
                let crm = try await CRMImportSupport.upload(
                    client, token: fixture.acme, file: try CRMImportSupport.fixture("hubspot_contacts.csv"))
                let id = try #require(crm.body.json["id"] as? String)
                uri = "/api/crm/imports/\(id)?cursor=\(cursor)"
            }
            let response = try await client.execute(uri: uri, method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(response.status == .unprocessableContent, "\(uri): \(String(buffer: response.body))")
            #expect(Self.details(response)["field"] == "cursor")
        }
    }

    @Test("a path parameter reaches its route percent-decoded: a person id with a space is found as written")
    func percentDecodedParameters() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let reviewer = try await fixture.gateway.keys.create(tenant: "acme", role: .admin).token
            _ = try await QDScoreAPITests.recordScore(fixture, person: "a b ü")
            let response = try await client.execute(
                uri: "/api/crm/qd/a%20b%20%C3%BC", method: .get, headers: GatewayFixture.auth(reviewer))
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            #expect(response.body.json["person_id"] as? String == "a b ü")
            #expect((response.body.json["data"] as? [Any])?.count == 1)
            // A broken escape is the client's mistake, named.
            let broken = try await client.execute(uri: "/api/crm/qd/a%ZZb", method: .get, headers: GatewayFixture.auth(reviewer))
            #expect(broken.status == .unprocessableContent)
            #expect(Self.details(broken)["field"] == "person_id")
        }
    }
}
