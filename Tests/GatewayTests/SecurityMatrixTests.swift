import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JobContracts
import Logging
import NIOCore
import PlatformStore
import TestSupport
import Testing

/// Every route of `/openapi.json` × every way of calling it: no credentials, an unknown, a
/// revoked key, an expired JWT, one with `alg: none`, one signed with another key, each role,
/// and another tenant. A refusal is 401, 403 or 404 as the matrix says and changes nothing in
/// Postgres, Redis or the blob store; a caller with the role is never refused; no answer and no
/// log line carries a secret.
@Suite("Security matrix: every route × every caller", .serialized)
struct SecurityMatrixTests {
    typealias M = SecurityMatrix

    @Test("every route of the document has a row in the matrix, and every row a route")
    func everyRouteHasARow() {
        let documented = Set(OpenAPIDocument.operations.map { "\($0.method) \($0.path)" })
        #expect(documented.subtracting(M.targets.keys).sorted() == [], "routes without a row in SecurityMatrix.targets")
        #expect(Set(M.targets.keys).subtracting(documented).sorted() == [], "rows of routes the gateway lacks")
    }

    /// The request-rate buckets are spent by every authenticated request, a refused one too.
    static let movingKeys = [":rate:{"]

    struct Keys {
        var byRole: [Principal.Role: String] = [:]
        var otherTenant: [Principal.Role: String] = [:]
        var callers: [M.Caller: String] = [:]
        var all: [String] { Array(byRole.values) + Array(otherTenant.values) + Array(callers.values) }
    }

    @Test("refusals are 401, 403 or 404 as the matrix says and change nothing; the role is enough")
    func matrix() async throws {
        let logs = CapturedLogs()
        try await GatewayFixture.withGateway(
            configure: {
                $0.rateLimitPerSecond = 100_000
                $0.rateLimitBurst = 100_000
            }, logger: Logger(label: "velocity.gateway", factory: { _ in logs })
        ) { fixture, client in
            let keys = try await Self.keys(fixture)
            let resources = try await Self.resources(fixture, client)
            // The batches' lines are queued in the background: the matrix starts once that is done.
            var settled = try await fixture.state(ignoringRedis: Self.movingKeys)
            for _ in 0..<40 {
                try await Task.sleep(for: .milliseconds(500))
                let now = try await fixture.state(ignoringRedis: Self.movingKeys)
                if now == settled { break }
                settled = now
            }
            var secrets = keys.all + [GatewayFixture.jwtSecret]
            var answers: [String] = []

            func call(_ operation: APIOperation, _ token: String?, body: Bool = true) async throws -> TestResponse {
                let target = try #require(M.targets["\(operation.method) \(operation.path)"])
                var headers: HTTPFields = [:]
                if let token { headers[.authorization] = "Bearer \(token)" }
                let payload = body ? M.body(operation, resources: resources) : nil
                if let payload { headers[.contentType] = payload.contentType }
                let response = try await client.execute(
                    uri: resources.path(operation, target: target), method: HTTPRequest.Method(operation.method)!,
                    headers: headers, body: payload?.bytes)
                answers.append(String(buffer: response.body) + "\(response.headers)")
                return response
            }

            for operation in OpenAPIDocument.operations {
                let route = "\(operation.method) \(operation.path)"
                let target = try #require(M.targets[route], "\(route) has no row")
                if operation.isPublic {
                    #expect(try await call(operation, nil).status.code < 400, "\(route) is public")
                    continue
                }
                let before = try await fixture.state(ignoringRedis: Self.movingKeys)
                for caller in M.Caller.allCases {
                    let response = try await call(operation, keys.callers[caller])
                    #expect(response.status == .unauthorized, "\(route) with \(caller)")
                    #expect(AuthTests.errorCode(response) == "unauthenticated", "\(route) with \(caller)")
                }
                for role in Principal.Role.allCases where role < operation.role {
                    let response = try await call(operation, keys.byRole[role])
                    #expect(response.status == .forbidden, "\(route) as a \(role.rawValue)")
                    #expect(AuthTests.errorCode(response) == "forbidden", "\(route) as a \(role.rawValue)")
                }
                // Another tenant, with the role the route needs: acme's resource is not there.
                if target.isTenantScoped {
                    let other = try await call(operation, keys.otherTenant[operation.role])
                    #expect(other.status == .notFound, "\(route) by another tenant")
                }
                let after = try await fixture.state(ignoringRedis: Self.movingKeys)
                #expect(GatewayFixture.changes(before, after) == [], "refused calls of \(route) changed something")
            }

            // The role is enough: never a 401 or 403, never a 5xx. Reads first, deletes last, so
            // one route's work does not take away the next one's resource. These calls do work.
            let order = ["GET": 0, "POST": 1, "PUT": 1, "PATCH": 1, "DELETE": 2]
            for operation in OpenAPIDocument.operations.sorted(by: { order[$0.method]! < order[$1.method]! })
            where !operation.isPublic {
                // A route of no one resource (a list, a submit, the box's queues) shows none of acme's.
                if M.targets["\(operation.method) \(operation.path)"]?.isTenantScoped == false {
                    let other = try await call(operation, keys.otherTenant[operation.role])
                    let text = String(buffer: other.body)
                    for id in resources.ids where other.status.kind == .successful {
                        #expect(!text.contains(id), "\(operation.method) \(operation.path) shows another tenant's \(id)")
                    }
                }
                for role in Principal.Role.allCases where role >= operation.role {
                    let response = try await call(operation, keys.byRole[role])
                    let route = "\(operation.method) \(operation.path) as a \(role.rawValue)"
                    #expect(![401, 403].contains(response.status.code), "\(route): \(String(buffer: response.body))")
                    #expect(response.status.code < 500, "\(route): \(String(buffer: response.body))")
                }
            }

            secrets.append(contentsOf: keys.all.compactMap { $0.split(separator: "_").last.map(String.init) })
            let logged = logs.text
            // The capture saw the requests (debug level logs each with its headers), so a secret
            // in them would have shown.
            #expect(logged.contains("/v1/jobs") && logged.contains("authorization"), "the gateway's log was not captured")
            for secret in secrets where secret.count >= 8 {
                // Bools, so a failure does not print the whole log.
                let logLines = logged.split(separator: "\n").filter { $0.contains(secret) }.count
                let answered = answers.filter { $0.contains(secret) }.count
                #expect(logLines == 0, "a secret \(secret.prefix(6))… is in \(logLines) log lines")
                #expect(answered == 0, "a secret \(secret.prefix(6))… is in \(answered) answers")
            }
        }
    }

    /// Keys of acme for each role, of globex for each role, and the bad credentials.
    static func keys(_ fixture: GatewayFixture) async throws -> Keys {
        var keys = Keys()
        for role in Principal.Role.allCases {
            keys.byRole[role] = try await fixture.gateway.keys.create(tenant: "acme", role: role).token
            keys.otherTenant[role] = try await fixture.gateway.keys.create(tenant: "globex", role: role).token
        }
        let revoked = try await fixture.gateway.keys.create(tenant: "acme", role: .admin)
        #expect(try await fixture.gateway.keys.revoke(id: revoked.id))
        keys.callers = [
            .unknownKey: "vj_matrix00_" + String(repeating: "A", count: 32), .revokedKey: revoked.token,
            .expiredJWT: try await M.jwt(expires: Date().addingTimeInterval(-120), secret: GatewayFixture.jwtSecret),
            .unsignedJWT: M.unsignedJWT(),
            .foreignJWT: try await M.jwt(secret: "another-secret-that-is-not-the-gateways-0000"),
        ]
        return keys
    }

    /// One of each of acme's resources the routes name.
    static func resources(_ fixture: GatewayFixture, _ client: some TestClientProtocol) async throws -> M.Resources {
        var resources = M.Resources()
        let job = try await client.execute(
            uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme),
            body: ByteBuffer(string: #"{"kind":"cpu.task","payload":{}}"#))
        resources.job = try #require(job.body.json["id"] as? String)
        // Ended, so its event stream ends too.
        let canceled = try await client.execute(
            uri: "/v1/jobs/\(resources.job)/cancel", method: .post, headers: GatewayFixture.auth(fixture.acme))
        #expect(canceled.status == .ok)
        let upload = MultipartBody.dreamWeaver(image: ImageSamples.png(width: 16, height: 16))
        let render = try await client.execute(
            uri: "/dream-weaver", method: .post, headers: GatewayFixture.multipart(fixture.acme, upload), body: upload.buffer)
        resources.render = try #require(render.body.json["job_id"] as? String)
        resources.file = try await BatchTestSupport.upload(BatchTestSupport.jsonl(count: 2), token: fixture.acme, client: client)
        resources.batch = try #require(
            try await BatchTestSupport.createBatch(fileID: resources.file, token: fixture.acme, client: client)["id"] as? String)
        let runtime = try await client.execute(
            uri: "/api/runtime/llm/batch", method: .post, headers: GatewayFixture.json(fixture.acme),
            body: BatchRuntimeTests.body(count: 1))
        resources.runtimeBatch = try #require(runtime.body.json["job_id"] as? String)
        let crm = try await CRMImportSupport.upload(
            client, token: fixture.acme, file: try CRMImportSupport.fixture("hubspot_contacts.csv"), filename: "hubspot.csv")
        resources.crmImport = try #require(crm.body.json["id"] as? String)
        resources.syntheticJob = try #require(try await SyntheticJobsAPITests.create(fixture, client, count: 1)["id"] as? String)
        let schedule = try await SchedulesAPITests.create(
            client, fixture.acme, #"{"name":"matrix","cron":"30 2 * * *","job":\#(SchedulesAPITests.job)}"#)
        resources.schedule = try #require(schedule.body.json["id"] as? String)
        resources.person = "p-matrix"
        resources.signal = try await QDScoreAPITests.recordScore(fixture, person: resources.person)
        return resources
    }
}
