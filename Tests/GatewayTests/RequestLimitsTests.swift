import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The limits every request meets, route by route from the document: JSON bodies, multipart
/// parts, path parameters that try to climb out of their root, and oversized headers. Each
/// refusal is a 4xx in the one error shape and changes nothing.
@Suite("Request limits on every route")
struct RequestLimitsTests {
    typealias M = SecurityMatrix

    @Test("a JSON body over its route's limit is 413 on every route that takes one, and changes nothing")
    func jsonBodies() async throws {
        // JSON bodies stop at 1 MiB; an LLM batch's at max_upload_bytes, made small here.
        try await GatewayFixture.withGateway(configure: { $0.maxUploadBytes = 1 << 19 }) { fixture, client in
            let admin = try await fixture.gateway.keys.create(tenant: "acme", role: .admin).token
            // Routes that look their resource up first meet the limit all the same.
            try await BoxAPITests.publish(fixture.gateway, box: "box-1", mode: .media)
            var resources = M.Resources()
            resources.schedule = UUID().uuidString.lowercased()
            let crm = try await CRMImportSupport.upload(
                client, token: fixture.acme, file: try CRMImportSupport.fixture("hubspot_contacts.csv"))
            resources.crmImport = try #require(crm.body.json["id"] as? String)
            let padding = String(repeating: "x", count: 1 << 20)
            let before = try await fixture.state(ignoringRedis: SecurityMatrixTests.movingKeys)
            for operation in OpenAPIDocument.operations {
                switch operation.body {
                case .json, .optionalJSON: break
                case .multipart, nil: continue
                }
                let target = try #require(M.targets["\(operation.method) \(operation.path)"])
                let response = try await client.execute(
                    uri: resources.path(operation, target: target), method: HTTPRequest.Method(operation.method)!,
                    headers: GatewayFixture.json(admin), body: ByteBuffer(string: #"{"padding":"\#(padding)"}"#))
                #expect(response.status == .contentTooLarge, "\(operation.method) \(operation.path)")
                #expect(AuthTests.errorCode(response) == "body_too_large", "\(operation.method) \(operation.path)")
            }
            let after = try await fixture.state(ignoringRedis: SecurityMatrixTests.movingKeys)
            #expect(GatewayFixture.changes(before, after) == [])
        }
    }

    @Test("more than 32 parts, or a part header of 200 KB, is refused on every multipart route; nothing is stored")
    func multipartParts() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let admin = try await fixture.gateway.keys.create(tenant: "acme", role: .admin).token
            let before = try await fixture.state(ignoringRedis: SecurityMatrixTests.movingKeys)
            for operation in OpenAPIDocument.operations {
                guard case .multipart(let fields) = operation.body else { continue }
                let route = "\(operation.method) \(operation.path)"
                // The form's own fields, valid, then 40 more.
                var many = MultipartBody()
                for field in fields where !field.file { many.field(field.name, field.name == "purpose" ? "batch" : "x") }
                for index in 0..<40 { many.field("extra\(index)", "y") }
                for field in fields where field.file { many.file(field.name, ImageSamples.png(width: 16, height: 16)) }
                let tooMany = try await client.execute(
                    uri: operation.path, method: .post, headers: GatewayFixture.multipart(admin, many), body: many.buffer)
                #expect(tooMany.status == .contentTooLarge, "\(route): \(String(buffer: tooMany.body))")
                // One part whose headers alone are 200 KB.
                var huge = MultipartBody()
                huge.field("note\"; x=\"" + String(repeating: "h", count: 200_000), "z")
                for field in fields where field.file { huge.file(field.name, ImageSamples.png(width: 16, height: 16)) }
                let response = try await client.execute(
                    uri: operation.path, method: .post, headers: GatewayFixture.multipart(admin, huge), body: huge.buffer)
                #expect((400..<500).contains(response.status.code), "\(route): \(response.status)")
            }
            let after = try await fixture.state(ignoringRedis: SecurityMatrixTests.movingKeys)
            #expect(GatewayFixture.changes(before, after) == [])
            #expect(try fixture.stagedFiles() == [])
        }
    }

    static let climbs = ["..", "..%2F..%2F..%2Fetc%2Fpasswd", "%2E%2E", "..%5C..%5Cwindows", "%00", "a%2F..%2F..%2Fb"]

    @Test("a path parameter that climbs (.., %2F, %00) reads nothing outside its root on any route")
    func pathParameters() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let admin = try await fixture.gateway.keys.create(tenant: "acme", role: .admin).token
            let before = try await fixture.state(ignoringRedis: SecurityMatrixTests.movingKeys)
            for operation in OpenAPIDocument.operations where operation.path.contains("{") {
                for climb in Self.climbs {
                    var path = operation.path
                    for name in operation.pathParameters { path = path.replacingOccurrences(of: "{\(name)}", with: climb) }
                    let response = try await client.execute(
                        uri: path, method: HTTPRequest.Method(operation.method)!, headers: GatewayFixture.auth(admin))
                    let text = String(buffer: response.body)
                    // A person id is a search key, never a path: its history is merely empty.
                    let opaque = M.targets["\(operation.method) \(operation.path)"] == .person && response.status == .ok
                    #expect(
                        opaque || (400..<500).contains(response.status.code), "\(operation.method) \(path): \(response.status)")
                    #expect(!text.contains("root:") && !text.contains("swift-tools-version"), "\(path)")
                }
            }
            // The dashboard's files: nothing above its site directory.
            for climb in ["../../../Package.swift", "..%2F..%2F..%2FPackage.swift", "%2E%2E/%2E%2E/%2E%2E/Package.swift"] {
                let response = try await client.execute(uri: "/dashboard/\(climb)", method: .get)
                #expect(!String(buffer: response.body).contains("swift-tools-version"), "/dashboard/\(climb)")
            }
            let after = try await fixture.state(ignoringRedis: SecurityMatrixTests.movingKeys)
            #expect(GatewayFixture.changes(before, after) == [])
        }
    }

    @Test("a 200 KB request header is refused by the HTTP server, which serves the next request")
    func oversizedHeader() async throws {
        let fixture = try await GatewayFixture.make()
        do {
            try await fixture.gateway.makeApplication().test(.live) { client in
                var headers = GatewayFixture.auth(fixture.acme)
                headers[HTTPField.Name("X-Padding")!] = String(repeating: "p", count: 200_000)
                do {
                    let response = try await client.execute(uri: "/v1/jobs", method: .get, headers: headers)
                    #expect((400..<500).contains(response.status.code), "\(response.status)")
                } catch {
                    // The server closed the connection instead of reading on: refused all the same.
                }
                // A new connection is served.
                let port = try #require(client.port)
                let fresh = TestClient(host: "127.0.0.1", port: port)
                fresh.connect()
                let next = try await fresh.get("/v1/jobs", headers: GatewayFixture.auth(fixture.acme))
                try await fresh.shutdown()
                #expect(next.status == .ok)
            }
        } catch {
            await fixture.tearDown()
            throw error
        }
        await fixture.tearDown()
    }
}
