import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import NIOCore
import Testing

@Suite("Authentication, roles and rate limits")
struct AuthTests {
    struct Claims: JWTPayload {
        var sub: SubjectClaim
        var tenant_id: String
        var role: String
        var exp: ExpirationClaim?
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    static func token(
        tenant: String = "acme", role: String = "submitter", expires: Date? = Date().addingTimeInterval(600),
        secret: String = GatewayFixture.jwtSecret
    ) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return try await keys.sign(
            Claims(sub: "user-7", tenant_id: tenant, role: role, exp: expires.map { ExpirationClaim(value: $0) }))
    }

    static func errorCode(_ response: TestResponse) -> String? {
        (response.body.json["error"] as? [String: Any])?["code"] as? String
    }

    @Test("health and ready need no credentials; everything else answers 401 without them")
    func publicAndPrivateRoutes() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
            let ready = try await client.execute(uri: "/ready", method: .get)
            #expect(ready.status == .ok)
            #expect(ready.body.json["redis"] as? String == "ok")
            #expect(ready.body.json["postgres"] as? String == "ok")
            for (method, uri) in [
                (HTTPRequest.Method.get, "/v1/jobs"), (.post, "/v1/jobs"), (.get, "/v1/queues"), (.get, "/metrics"),
                (.get, "/openapi.json"), (.get, "/v1/nothing"),
            ] {
                let response = try await client.execute(uri: uri, method: method)
                #expect(response.status == .unauthorized, "\(method) \(uri)")
                #expect(Self.errorCode(response) == "unauthenticated", "\(method) \(uri)")
                #expect(response.headers[.wwwAuthenticate] == "Bearer", "\(method) \(uri)")
            }
        }
    }

    @Test(
        "bad credentials are 401",
        arguments: ["Bearer vj_nope_nope", "Basic dXNlcjpwYXNz", "Bearer", "bearer   ", "Token abc"])
    func badCredentials(header: String) async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let response = try await client.execute(uri: "/v1/jobs", method: .get, headers: [.authorization: header])
            #expect(response.status == .unauthorized, "\(header)")
            #expect(Self.errorCode(response) == "unauthenticated")
        }
    }

    @Test("a live key's id with another secret, or the secret cut or lengthened, is 401; the key still works")
    func wrongSecretOfALiveKey() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let key = try await fixture.gateway.keys.create(tenant: "initech", role: .admin)
            let secret = String(key.token.split(separator: "_").last!)
            let flipped = String(secret.dropLast()) + (secret.hasSuffix("A") ? "B" : "A")
            for token in [
                "vj_\(key.id)_\(flipped)", "vj_\(key.id)_\(secret.dropLast())", "vj_\(key.id)_\(secret)x",
                "vj_\(key.id)_", "vj__\(secret)", "xx_\(key.id)_\(secret)", "vj_\(key.id)_\(secret)_x",
            ] {
                let response = try await client.execute(uri: "/v1/jobs", method: .get, headers: GatewayFixture.auth(token))
                #expect(response.status == .unauthorized, "\(token)")
            }
            #expect(
                try await client.execute(uri: "/v1/jobs", method: .get, headers: GatewayFixture.auth(key.token)).status == .ok)
        }
    }

    @Test("a revoked key stops working")
    func revokedKey() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let key = try await fixture.gateway.keys.create(tenant: "initech", role: .submitter)
            #expect(
                try await client.execute(uri: "/v1/jobs", method: .get, headers: GatewayFixture.auth(key.token)).status == .ok)
            #expect(try await fixture.gateway.keys.revoke(id: key.id))
            let after = try await client.execute(uri: "/v1/jobs", method: .get, headers: GatewayFixture.auth(key.token))
            #expect(after.status == .unauthorized)
        }
    }

    @Test(
        "a key for an invalid tenant is refused and not stored",
        arguments: ["", "a b", "ten/ant", "tënant", String(repeating: "x", count: 65)])
    func invalidTenant(tenant: String) async throws {
        try await GatewayFixture.withGateway { fixture, _ in
            await #expect(throws: GatewayError.self) {
                _ = try await fixture.gateway.keys.create(tenant: tenant, role: .submitter)
            }
            let rows = try await fixture.gateway.postgres.withConnection { try await $0.query("SELECT count(*) FROM api_keys") }
            #expect(rows.rows.first?[0] == "3")
        }
    }

    @Test("keys are stored as digests, never as the token")
    func keysStoredHashed() async throws {
        try await GatewayFixture.withGateway { fixture, _ in
            let rows = try await fixture.gateway.postgres.withConnection {
                try await $0.query("SELECT secret_sha256 FROM api_keys")
            }
            #expect(rows.count == 3)
            for row in rows.rows {
                #expect(row[0]?.count == 64)
                #expect(row[0] != fixture.acme && row[0] != fixture.globex)
            }
        }
    }

    @Test("an HS256 JWT from the platform authenticates as its tenant and role")
    func validJWT() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let token = try await Self.token(tenant: "acme")
            let submit = try await client.execute(
                uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(token),
                body: ByteBuffer(string: #"{"kind":"cpu.task","payload":{}}"#))
            #expect(submit.status == .accepted)
            let id = try #require(submit.body.json["id"] as? String)
            // The same tenant's API key sees the job; the actor is the JWT's subject.
            let record = try await fixture.gateway.records.job(id: id)
            #expect(record?.submission.actor == "jwt:user-7")
            let view = try await client.execute(uri: "/v1/jobs/\(id)", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(view.status == .ok)
        }
    }

    @Test("expired, wrongly signed and claim-less JWTs are 401; an unknown role is 403")
    func badJWTs() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let expired = try await Self.token(expires: Date().addingTimeInterval(-60))
            let forged = try await Self.token(secret: "some-other-secret-entirely-000000")
            let roleless = try await Self.token(role: "superuser")
            for (token, status) in [(expired, HTTPResponse.Status.unauthorized), (forged, .unauthorized), (roleless, .forbidden)]
            {
                let response = try await client.execute(uri: "/v1/jobs", method: .get, headers: GatewayFixture.auth(token))
                #expect(response.status == status)
            }
            let garbage = try await client.execute(
                uri: "/v1/jobs", method: .get, headers: GatewayFixture.auth("a.b.c"))
            #expect(garbage.status == .unauthorized)
        }
    }

    @Test("operator routes refuse a submitter with 403 and accept an operator")
    func operatorRole() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            for uri in ["/v1/queues/cpu/pause", "/v1/queues/cpu/resume"] {
                let refused = try await client.execute(uri: uri, method: .post, headers: GatewayFixture.auth(fixture.acme))
                #expect(refused.status == .forbidden, "\(uri)")
                #expect(Self.errorCode(refused) == "forbidden")
            }
            #expect(try await fixture.gateway.broker.depth(queue: "cpu").paused == false)
            let jwtOperator = try await Self.token(role: "operator")
            let paused = try await client.execute(
                uri: "/v1/queues/cpu/pause", method: .post, headers: GatewayFixture.auth(jwtOperator))
            #expect(paused.status == .ok)
            #expect(try await fixture.gateway.broker.depth(queue: "cpu").paused == true)
        }
    }

    @Test("past its rate a tenant gets 429 with Retry-After; other tenants are unaffected")
    func rateLimit() async throws {
        try await GatewayFixture.withGateway(configure: {
            // One token per 20 s: the refusals below hold however slowly a loaded machine runs them.
            $0.rateLimitPerSecond = 0.05
            $0.rateLimitBurst = 3
        }) { fixture, client in
            for _ in 0..<3 {
                #expect(
                    try await client.execute(uri: "/v1/jobs", method: .get, headers: GatewayFixture.auth(fixture.acme)).status
                        == .ok)
            }
            let limited = try await client.execute(uri: "/v1/jobs", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(limited.status == .tooManyRequests)
            #expect(Self.errorCode(limited) == "rate_limited")
            let retryAfter = try #require(limited.headers[.retryAfter].flatMap { Int($0) })
            #expect(retryAfter >= 1 && retryAfter <= 20)
            // A refused submit stores nothing.
            let submit = try await client.execute(
                uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme),
                body: ByteBuffer(string: #"{"kind":"cpu.task","payload":{}}"#))
            #expect(submit.status == .tooManyRequests)
            #expect(try await fixture.storedSomething().rows == 0)
            #expect(
                try await client.execute(uri: "/v1/jobs", method: .get, headers: GatewayFixture.auth(fixture.globex)).status
                    == .ok)
        }
    }
}
