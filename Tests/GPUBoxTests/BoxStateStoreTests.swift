import Broker
import Foundation
import GPUBox
import TestSupport
import Testing

@Suite struct BoxStateStoreTests {
    /// Where the store runs: one server, or the test Redis Cluster (keys under one hash tag).
    enum Server: String, CaseIterable, CustomTestStringConvertible {
        case redis
        case redisCluster = "redis-cluster"
        var testDescription: String { rawValue }
        func url() throws -> String { self == .redis ? try TestServers.redisURL() : try TestServers.redisClusterURL() }
    }

    func withStore(_ server: Server = .redis, _ body: (BoxStateStore) async throws -> Void) async throws {
        let pool = try await RedisPool.connect(try RedisConfiguration(url: server.url()), size: 2)
        do {
            try await body(BoxStateStore(redis: pool, namespace: "boxtest-\(UUID().uuidString.prefix(8))"))
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }

    @Test(arguments: Server.allCases) func publishedStatusReadsBackWithAFreshHeartbeat(_ server: Server) async throws {
        try await withStore(server) { store in
            let status = BoxStatus(
                box: "box-a", mode: .split, desiredMode: nil, heartbeatMilliseconds: 0, backendRestarts: ["comfyui@0": 2],
                gpus: [
                    GPUStatus(
                        index: 0, uuid: "GPU-0", name: "NVIDIA L4", role: "media", backend: "comfyui@0",
                        backendState: "consuming", currentJob: "j1")
                ])
            try await store.publish(status)
            let views = try await store.boxes()
            #expect(views.count == 1)
            #expect(views[0].status == status)
            #expect(views[0].isAlive(timeout: .seconds(30)))
            #expect(views[0].status.servedQueues == ["media", "llm"])
            #expect(try await store.box("box-b") == nil)
        }
    }

    @Test(arguments: Server.allCases) func aSilentAgentReadsAsDead(_ server: Server) async throws {
        try await withStore(server) { store in
            try await store.publish(BoxStatus(box: "box-a", mode: .media, desiredMode: nil, heartbeatMilliseconds: 0, gpus: []))
            try await Task.sleep(for: .milliseconds(30))
            let view = try #require(try await store.box("box-a"))
            #expect(view.heartbeatAgeMilliseconds >= 30)
            #expect(!view.isAlive(timeout: .milliseconds(10)))
        }
    }

    @Test(arguments: Server.allCases) func modeRequestsAreStoredPerBox(_ server: Server) async throws {
        try await withStore(server) { store in
            #expect(try await store.desired(box: "box-a") == nil)
            let request = ModeRequest(box: "box-a", mode: .llm, requestedBy: "key:ops")
            try await store.request(request)
            #expect(try await store.desired(box: "box-a") == request)
            #expect(try await store.desired(box: "box-b") == nil)
        }
    }

    @Test("drains of a box's GPUs are kept per box, on one server and on a cluster", arguments: Server.allCases)
    func drainsPerBox(_ server: Server) async throws {
        try await withStore(server) { store in
            try await store.publish(BoxStatus(box: "box-a", mode: .media, desiredMode: nil, heartbeatMilliseconds: 0, gpus: []))
            let drain = try await store.drain(box: "box-a", gpu: 1, requestedBy: "key:ops", reason: "fan", immediate: false)
            #expect(try await store.drains(box: "box-a") == [1: drain])
            #expect(try await store.drains(box: "box-b").isEmpty)
            #expect(try await store.undrain(box: "box-a", gpu: 1))
            #expect(try await store.drains(box: "box-a").isEmpty)
            #expect(try await store.boxes().map(\.status.box) == ["box-a"])
        }
    }

    @Test func aSwitchingBoxServesNoQueue() {
        var status = BoxStatus(box: "b", mode: .media, desiredMode: .llm, heartbeatMilliseconds: 0, gpus: [])
        status.switching = .init(id: "s", from: .media, to: .llm, step: .drain, rollingBack: false)
        #expect(status.servedQueues.isEmpty)
    }
}
