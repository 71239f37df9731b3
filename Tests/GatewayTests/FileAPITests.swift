import Images
import Broker
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TestSupport

@Suite("Files API (OpenAI-compatible)")
struct FileAPITests {
    typealias S = BatchTestSupport

    @Test("upload stores the blob and the row and answers OpenAI's file object; get, content and list")
    func uploadAndRead() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let bytes = S.jsonl(count: 3)
            let response = try await client.execute(
                uri: "/v1/files", method: .post, headers: S.multipartHeaders(fixture.acme),
                body: S.multipart(file: bytes, filename: "prompts.jsonl"))
            #expect(response.status == .ok)
            let object = response.body.json
            let id = try #require(object["id"] as? String)
            #expect(id.hasPrefix("file-"))
            #expect(object["object"] as? String == "file")
            #expect(object["bytes"] as? Int == bytes.count)
            #expect(object["filename"] as? String == "prompts.jsonl")
            #expect(object["purpose"] as? String == "batch")
            let createdAt = try #require(object["created_at"] as? Int)
            #expect(abs(createdAt - Int(Date().timeIntervalSince1970)) < 3_600)

            // The blob under files/<id> and the row of the caller's tenant.
            #expect(try await fixture.gateway.blobs.read("files/\(id)") == bytes)
            #expect(
                try await S.count(fixture, "SELECT count(*) FROM files WHERE id = $1 AND tenant = 'acme'", [id]) == 1)

            let get = try await client.execute(uri: "/v1/files/\(id)", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(get.status == .ok)
            #expect(get.body.json["id"] as? String == id)
            #expect(get.body.json["bytes"] as? Int == bytes.count)

            let content = try await client.execute(
                uri: "/v1/files/\(id)/content", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(content.status == .ok)
            #expect(Array(content.body.readableBytesView) == bytes)
            #expect(content.headers[.contentType] == "application/jsonl")

            let second = try await S.upload(S.jsonl(count: 1), token: fixture.acme, client: client)
            let list = try await client.execute(uri: "/v1/files", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(list.status == .ok)
            #expect(list.body.json["object"] as? String == "list")
            let ids = (list.body.json["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(ids == [second, id])
            let page = try await client.execute(
                uri: "/v1/files?limit=1", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect((page.body.json["data"] as? [Any])?.count == 1)
            #expect(page.body.json["has_more"] as? Bool == true)
            let rest = try await client.execute(
                uri: "/v1/files?limit=1&after=\(second)", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(((rest.body.json["data"] as? [[String: Any]])?.first?["id"] as? String) == id)
            #expect(rest.body.json["has_more"] as? Bool == false)
        }
    }

    @Test("a file with CRLF lines is stored byte for byte")
    func crlfContent() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let bytes = Array((S.line("a") + "\r\n" + S.line("b") + "\r\n").utf8)
            let id = try await S.upload(bytes, token: fixture.acme, client: client)
            #expect(try await fixture.gateway.blobs.read("files/\(id)") == bytes)
        }
    }

    @Test("another tenant's file is a 404, in metadata, content and list")
    func tenantIsolation() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let id = try await S.upload(S.jsonl(count: 2), token: fixture.acme, client: client)
            for uri in ["/v1/files/\(id)", "/v1/files/\(id)/content"] {
                let response = try await client.execute(uri: uri, method: .get, headers: GatewayFixture.auth(fixture.globex))
                #expect(response.status == .notFound, "\(uri)")
                #expect((response.body.json["error"] as? [String: Any])?["code"] as? String == "not_found")
            }
            let list = try await client.execute(uri: "/v1/files", method: .get, headers: GatewayFixture.auth(fixture.globex))
            #expect((list.body.json["data"] as? [Any])?.isEmpty == true)
            let unknown = try await client.execute(
                uri: "/v1/files/file-doesnotexist", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(unknown.status == .notFound)
        }
    }

    /// Over a real socket a large body arrives in many chunks: the file streams into the
    /// staged blob, and a refusal after some chunks were staged still leaves nothing behind.
    @Test("over a live server a multi-megabyte upload streams in chunks; one past the limit leaves nothing staged")
    func liveStreaming() async throws {
        let fixture = try await GatewayFixture.make { $0.port = 0; $0.maxUploadBytes = 3_000_000 }
        do {
            try await fixture.gateway.makeApplication().test(.live) { client in
                let big = S.jsonl(count: 12_000)
                #expect(big.count > 1_500_000 && big.count < 3_000_000)
                let accepted = try await client.execute(
                    uri: "/v1/files", method: .post, headers: S.multipartHeaders(fixture.acme), body: S.multipart(file: big))
                #expect(accepted.status == .ok)
                let id = try #require(accepted.body.json["id"] as? String)
                #expect(try await fixture.gateway.blobs.read("files/\(id)") == big)

                let tooBig = S.jsonl(count: 24_000)
                let refused = try await client.execute(
                    uri: "/v1/files", method: .post, headers: S.multipartHeaders(fixture.acme), body: S.multipart(file: tooBig))
                #expect(refused.status == .contentTooLarge)
                #expect(try await S.count(fixture, "SELECT count(*) FROM files") == 1)
                #expect(try await fixture.storedSomething().blobs == 1)
            }
        } catch {
            await fixture.tearDown()
            throw error
        }
        await fixture.tearDown()
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var name: String
        var contentType: String
        var body: ByteBuffer
        var status: HTTPResponse.Status
        var code: String
        var field: String?
        var testDescription: String { name }
    }

    static let refusals: [Refusal] = [
        Refusal(
            name: "JSON instead of multipart", contentType: "application/json", body: ByteBuffer(string: #"{"purpose":"batch"}"#),
            status: .unsupportedMediaType, code: "unsupported_media_type"),
        Refusal(
            name: "no boundary", contentType: "multipart/form-data", body: S.multipart(file: S.jsonl(count: 1)),
            status: .badRequest, code: "malformed_multipart"),
        Refusal(
            name: "missing purpose", contentType: "multipart/form-data; boundary=\(S.boundary)",
            body: S.multipart(fields: [], file: S.jsonl(count: 1)), status: .unprocessableContent, code: "invalid_request",
            field: "purpose"),
        Refusal(
            name: "purpose not batch", contentType: "multipart/form-data; boundary=\(S.boundary)",
            body: S.multipart(fields: [("purpose", "fine-tune")], file: S.jsonl(count: 1)), status: .unprocessableContent,
            code: "invalid_request", field: "purpose"),
        Refusal(
            name: "missing file", contentType: "multipart/form-data; boundary=\(S.boundary)",
            body: S.multipart(file: nil), status: .unprocessableContent, code: "invalid_request", field: "file"),
        Refusal(
            name: "file under another name", contentType: "multipart/form-data; boundary=\(S.boundary)",
            body: S.multipart(file: S.jsonl(count: 1), fileField: "upload"), status: .unprocessableContent,
            code: "invalid_request", field: "file"),
        Refusal(
            name: "empty file", contentType: "multipart/form-data; boundary=\(S.boundary)",
            body: S.multipart(file: []), status: .unprocessableContent, code: "invalid_request", field: "file"),
        Refusal(
            name: "body ends inside the file", contentType: "multipart/form-data; boundary=\(S.boundary)",
            body: S.multipart(file: S.jsonl(count: 2), truncated: true), status: .badRequest, code: "malformed_multipart"),
        Refusal(
            name: "file larger than the limit", contentType: "multipart/form-data; boundary=\(S.boundary)",
            body: S.multipart(file: S.jsonl(count: 40)), status: .contentTooLarge, code: "body_too_large"),
    ]

    @Test("refusals answer the right status and code and store nothing", arguments: refusals)
    func refusal(_ refusal: Refusal) async throws {
        try await GatewayFixture.withGateway(configure: { $0.maxUploadBytes = 4_096 }) { fixture, client in
            let response = try await client.execute(
                uri: "/v1/files", method: .post,
                headers: GatewayFixture.auth(fixture.acme, [.contentType: refusal.contentType]), body: refusal.body)
            #expect(response.status == refusal.status, "\(String(buffer: response.body))")
            let error = try #require(response.body.json["error"] as? [String: Any])
            #expect(error["code"] as? String == refusal.code)
            if let field = refusal.field {
                #expect((error["details"] as? [String: String])?["field"] == field)
            }
            try await S.assertNothingStored(fixture)
        }
    }

    @Test("without a bearer token the upload is a 401 and stores nothing")
    func unauthenticated() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let response = try await client.execute(
                uri: "/v1/files", method: .post, headers: [.contentType: "multipart/form-data; boundary=\(S.boundary)"],
                body: S.multipart(file: S.jsonl(count: 1)))
            #expect(response.status == .unauthorized)
            try await S.assertNothingStored(fixture)
        }
    }
}
