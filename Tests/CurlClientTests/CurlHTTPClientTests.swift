import CurlClient
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization
import Testing

@Suite("CurlHTTPClient against a loopback server")
struct CurlHTTPClientTests {
    @Test("GET sends headers and reads status, repeated headers and body")
    func get() async throws {
        try await LoopbackServer.run { base, client in
            let response = try await client.execute(
                HTTPClientRequest(url: base + "/echo", headers: ["X-Test": "hello world"]))
            #expect(response.status == 200)
            #expect(response.headers["x-method"] == "GET")
            #expect(response.headers["X-ECHO"] == "hello world")
            #expect(response.headers.values("x-multi") == ["one", "two"])
            #expect(response.body.isEmpty)
        }
    }

    @Test("a binary body makes the round trip byte for byte, with any method")
    func binaryBody() async throws {
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0) }
        try await LoopbackServer.run { base, client in
            for method in ["POST", "PUT", "DELETE"] {
                let response = try await client.execute(
                    .bytes(method, base + "/echo", bytes, contentType: "application/x-test"))
                #expect(response.status == 200)
                #expect(response.headers["X-Method"] == method)
                #expect(response.headers["Content-Type"] == "application/x-test")
                #expect(response.body == bytes)
            }
            let empty = try await client.execute(HTTPClientRequest(method: "POST", url: base + "/echo"))
            #expect(empty.status == 200 && empty.body.isEmpty)
        }
    }

    @Test("4xx and 5xx come back as responses, not errors")
    func errorStatuses() async throws {
        try await LoopbackServer.run { base, client in
            let notFound = try await client.execute(HTTPClientRequest(url: base + "/status/404"))
            #expect(notFound.status == 404)
            #expect(notFound.text == "status 404")
            #expect(!notFound.isSuccess)
            let unavailable = try await client.execute(HTTPClientRequest(url: base + "/status/503"))
            #expect(unavailable.status == 503)
            let unknownRoute = try await client.execute(HTTPClientRequest(url: base + "/nowhere"))
            #expect(unknownRoute.status == 404)
        }
    }

    @Test("nothing listening is connection_refused, with libcurl's explanation")
    func connectionRefused() async throws {
        try await CurlHTTPClient.withClient { client in
            let error = try await #require(throws: CurlClientError.self) {
                try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:1/"))
            }
            #expect(error.code == .connectionRefused)
            #expect(error.message.contains("Couldn't connect") || error.message.contains("connect"))
        }
    }

    @Test("a malformed URL is invalid_request")
    func malformedURL() async throws {
        try await CurlHTTPClient.withClient { client in
            let error = try await #require(throws: CurlClientError.self) {
                try await client.execute(HTTPClientRequest(url: "htp//nope"))
            }
            #expect(error.code == .invalidRequest || error.code == .hostNotFound)
            let header = try await #require(throws: CurlClientError.self) {
                try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:1/", headers: ["X-Bad": "a\r\nb"]))
            }
            #expect(header.code == .invalidRequest)
        }
    }

    @Test("a server that does not answer in time is a timeout")
    func timeout() async throws {
        let release = Gate()
        try await LoopbackServer.run(routes: { router in
            router.get("/hang") { _, _ -> Response in
                await release.wait()
                return Response(status: .ok)
            }
        }) { base, client in
            var request = HTTPClientRequest(url: base + "/hang")
            request.timeoutMilliseconds = 300
            let error = try await #require(throws: CurlClientError.self) { try await client.execute(request) }
            release.signal()
            #expect(error.code == .timeout)
        }
    }

    @Test("a body over the limit is response_too_large, whether its length is announced or not")
    func sizeLimit() async throws {
        var configuration = CurlHTTPClient.Configuration()
        configuration.maxResponseBytes = 10_000
        try await LoopbackServer.run(configuration: configuration) { base, client in
            for path in ["/big", "/big-chunked"] {
                let error = try await #require(throws: CurlClientError.self) {
                    try await client.execute(HTTPClientRequest(url: base + path))
                }
                #expect(error.code == .responseTooLarge, "\(path)")
            }
            var roomy = HTTPClientRequest(url: base + "/big-chunked")
            roomy.maxResponseBytes = 2_000_000
            #expect(try await client.execute(roomy).body == LoopbackServer.bigBody)
        }
    }

    @Test("streaming hands over the head and the first chunk before the body is complete")
    func streaming() async throws {
        let release = Gate()
        try await LoopbackServer.run(routes: { router in
            router.get("/chunks") { _, _ -> Response in
                Response(
                    status: .accepted, headers: [.contentType: "text/plain"],
                    body: ResponseBody { writer in
                        try await writer.write(ByteBuffer(string: "first;"))
                        await release.wait()
                        try await writer.write(ByteBuffer(string: "second;"))
                        try await writer.write(ByteBuffer(string: "third"))
                        try await writer.finish(nil)
                    })
            }
        }) { base, client in
            let response = try await client.stream(HTTPClientRequest(url: base + "/chunks"))
            #expect(response.status == 202)
            #expect(response.headers["content-type"] == "text/plain")
            var iterator = response.body.makeAsyncIterator()
            let first = try await iterator.next()
            #expect(first.map { String(decoding: $0, as: UTF8.self) } == "first;")
            release.signal()
            var rest: [UInt8] = []
            while let chunk = try await iterator.next() { rest += chunk }
            #expect(String(decoding: rest, as: UTF8.self) == "second;third")
        }
    }

    @Test("Server-Sent Events arrive parsed and in order, however the bytes are split")
    func serverSentEvents() async throws {
        let pieces = [
            "event: queued\ndata: {\"status\":\"queued\"}\n\n", ": keep-alive\n\n", "event: proc",
            "essing\ndata: line one\ndata: line two\n", "\n", "data: plain\r\n\r", "\nid: 7\nevent: succeeded\ndata: done\n\n",
        ]
        try await LoopbackServer.run(routes: { router in
            router.get("/events") { request, _ -> Response in
                let accept = request.headers[.accept] ?? ""
                return Response(
                    status: .ok, headers: [.contentType: "text/event-stream", HTTPField.Name("X-Accept")!: accept],
                    body: ResponseBody { writer in
                        for piece in pieces { try await writer.write(ByteBuffer(string: piece)) }
                        try await writer.finish(nil)
                    })
            }
        }) { base, client in
            let stream = try await client.events(HTTPClientRequest(url: base + "/events"))
            #expect(stream.head.status == 200)
            #expect(stream.head.headers["X-Accept"] == "text/event-stream")
            var events: [ServerSentEvent] = []
            for try await event in stream.events { events.append(event) }
            #expect(
                events == [
                    ServerSentEvent(event: "queued", data: #"{"status":"queued"}"#),
                    ServerSentEvent(event: "processing", data: "line one\nline two"),
                    ServerSentEvent(event: "message", data: "plain"),
                    ServerSentEvent(event: "succeeded", data: "done", id: "7"),
                ])
        }
    }

    @Test("a multipart upload streams the file from disk and arrives intact with its fields")
    func multipartUpload() async throws {
        let fileBytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("curl-upload-\(UUID()).png").path
        try Data(fileBytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await LoopbackServer.run { base, client in
            var form = MultipartForm()
            form.addField("room_type", "living_room")
            form.addField("style", "warm scandinavian")
            form.addFile("image", path: path, filename: "photo.png", contentType: "image/png")
            let last = Mutex(TransferProgress())
            let response = try await client.upload(
                HTTPClientRequest(url: base + "/upload"), form: form, progress: { p in last.withLock { $0 = p } })
            #expect(response.status == 200)
            let contentType = try #require(response.headers["Content-Type"])
            #expect(contentType.hasPrefix("multipart/form-data; boundary="))
            let body = response.body
            #expect(body.count > fileBytes.count)
            #expect(Self.contains(body, fileBytes))
            let text = String(decoding: body, as: UTF8.self)
            #expect(text.contains(#"Content-Disposition: form-data; name="room_type""# + "\r\n\r\nliving_room\r\n"))
            #expect(text.contains(#"name="style""# + "\r\n\r\nwarm scandinavian\r\n"))
            #expect(text.contains(#"Content-Disposition: form-data; name="image"; filename="photo.png""#))
            #expect(text.contains("Content-Type: image/png"))
            let progress = last.withLock { $0 }
            #expect(progress.uploadTotal == Int64(body.count))
            #expect(progress.uploaded == progress.uploadTotal)
        }
    }

    @Test("a multipart file that cannot be read is a file_error before anything is sent")
    func missingUploadFile() async throws {
        try await CurlHTTPClient.withClient { client in
            var form = MultipartForm()
            form.addFile("image", path: "/nonexistent/\(UUID()).png")
            // Port 1 would refuse: the file check has to come first for this to be a file error.
            let error = try await #require(throws: CurlClientError.self) {
                try await client.upload(HTTPClientRequest(url: "http://127.0.0.1:1/"), form: form)
            }
            #expect(error.code == .fileError)
        }
    }

    @Test("a download lands complete in its file, with progress; an error status writes no file")
    func download() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("curl-dl-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await LoopbackServer.run { base, client in
            let path = directory.appendingPathComponent("big.bin").path
            let seen = Mutex<[TransferProgress]>([])
            let response = try await client.download(
                HTTPClientRequest(url: base + "/big"), to: path, progress: { p in seen.withLock { $0.append(p) } })
            #expect(response.status == 200)
            #expect(response.body.isEmpty)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(LoopbackServer.bigBody))
            #expect(!FileManager.default.fileExists(atPath: path + ".part"))
            let progress = seen.withLock { $0 }
            #expect(progress.last?.downloaded == Int64(LoopbackServer.bigBody.count))
            #expect(progress.last?.downloadFraction == 1)
            #expect(zip(progress, progress.dropFirst()).allSatisfy { $0.downloaded <= $1.downloaded })

            let missing = directory.appendingPathComponent("missing.bin").path
            let notFound = try await client.download(HTTPClientRequest(url: base + "/status/404"), to: missing)
            #expect(notFound.status == 404)
            #expect(notFound.text == "status 404")
            #expect(!FileManager.default.fileExists(atPath: missing))
            #expect(!FileManager.default.fileExists(atPath: missing + ".part"))

            let unwritable = try await #require(throws: CurlClientError.self) {
                try await client.download(HTTPClientRequest(url: base + "/big"), to: "/nonexistent/dir/file.bin")
            }
            #expect(unwritable.code == .fileError)
        }
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, needle.count <= haystack.count else { return false }
        var index = 0
        while index <= haystack.count - needle.count {
            if haystack[index] == first, haystack[index..<index + needle.count].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}
