import CurlClient
import Hummingbird
import Testing

@Suite("CurlHTTPClient cancellation")
struct CurlCancellationTests {
    @Test("cancelling the calling task aborts a transfer in flight")
    func cancelExecute() async throws {
        let arrived = Gate()
        let release = Gate()
        try await LoopbackServer.run(routes: { router in
            router.get("/hang") { _, _ -> Response in
                arrived.signal()
                await release.wait()
                return Response(status: .ok)
            }
        }) { base, client in
            let task = Task { try await client.execute(HTTPClientRequest(url: base + "/hang")) }
            await arrived.wait()
            task.cancel()
            let error = try await #require(throws: CurlClientError.self) { try await task.value }
            release.signal()
            #expect(error.code == .cancelled)
        }
    }

    @Test("a task cancelled before its transfer starts never sends it")
    func cancelledBeforeStart() async throws {
        try await CurlHTTPClient.withClient { client in
            let task = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:1/"))
            }
            let error = try await #require(throws: CurlClientError.self) { try await task.value }
            #expect(error.code == .cancelled)
        }
    }

    @Test("leaving a stream early closes the connection")
    func abandonStream() async throws {
        let disconnected = Gate()
        try await LoopbackServer.run(routes: { router in
            router.get("/forever") { _, _ -> Response in
                Response(
                    status: .ok,
                    body: ResponseBody { writer in
                        do {
                            while true {
                                try await writer.write(ByteBuffer(repeating: 0x61, count: 4096))
                                try await Task.sleep(for: .milliseconds(5))
                            }
                        } catch {
                            disconnected.signal()
                            throw error
                        }
                    })
            }
        }) { base, client in
            try await Self.readTwoChunks(client, base + "/forever")
            await disconnected.wait()
        }
    }

    static func readTwoChunks(_ client: CurlHTTPClient, _ url: String) async throws {
        let response = try await client.stream(HTTPClientRequest(url: url))
        var count = 0
        for try await _ in response.body {
            count += 1
            if count == 2 { break }
        }
        #expect(count == 2)
    }

    @Test("shutting the client down aborts what is running")
    func shutdownAborts() async throws {
        let arrived = Gate()
        let release = Gate()
        try await LoopbackServer.run(routes: { router in
            router.get("/hang") { _, _ -> Response in
                arrived.signal()
                await release.wait()
                return Response(status: .ok)
            }
        }) { base, _ in
            let client = CurlHTTPClient()
            let task = Task { try await client.execute(HTTPClientRequest(url: base + "/hang")) }
            await arrived.wait()
            try await client.shutdown()
            let error = try await #require(throws: CurlClientError.self) { try await task.value }
            release.signal()
            #expect(error.code == .cancelled)
            let after = try await #require(throws: CurlClientError.self) {
                try await client.execute(HTTPClientRequest(url: base + "/echo"))
            }
            #expect(after.code == .cancelled)
        }
    }

    @Test("a client dropped without shutdown stops its threads by itself")
    func dropWithoutShutdown() async throws {
        try await LoopbackServer.run { base, _ in
            var client: CurlHTTPClient? = CurlHTTPClient()
            #expect(try await client?.execute(HTTPClientRequest(url: base + "/echo")).status == 200)
            client = nil
            // Debug builds of NIOThreadPool trap when a running pool is deinitialised: reaching
            // here with a working second client shows the first one shut itself down.
            let status = try await CurlHTTPClient.withClient { second in
                try await second.execute(HTTPClientRequest(url: base + "/echo")).status
            }
            #expect(status == 200)
        }
    }
}
