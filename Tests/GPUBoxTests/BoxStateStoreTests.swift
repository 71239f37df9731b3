import Broker
import Foundation
import GPUBox
import TestSupport
import Testing

@Suite struct BoxStateStoreTests {
    func withStore(_ body: (BoxStateStore) async throws -> Void) async throws {
        let pool = try await RedisPool.connect(try RedisConfiguration(url: TestServers.redisURL()), size: 2)
        do {
            try await body(BoxStateStore(redis: pool, namespace: "boxtest-\(UUID().uuidString.prefix(8))"))
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }

    @Test func publishedStatusReadsBackWithAFreshHeartbeat() async throws {
        try await withStore { store in
            let status = BoxStatus(
                box: "box-a", mode: .split, desiredMode: nil, heartbeatMilliseconds: 0, backendRestarts: ["comfyui@0": 2],
                gpus: [GPUStatus(index: 0, uuid: "GPU-0", name: "NVIDIA L4", role: "media", backend: "comfyui@0", backendState: "consuming", currentJob: "j1")])
            try await store.publish(status)
            let views = try await store.boxes()
            #expect(views.count == 1)
            #expect(views[0].status == status)
            #expect(views[0].isAlive(timeout: .seconds(30)))
            #expect(views[0].status.servedQueues == ["media", "llm"])
            #expect(try await store.box("box-b") == nil)
        }
    }

    @Test func aSilentAgentReadsAsDead() async throws {
        try await withStore { store in
            try await store.publish(BoxStatus(box: "box-a", mode: .media, desiredMode: nil, heartbeatMilliseconds: 0, gpus: []))
            try await Task.sleep(for: .milliseconds(30))
            let view = try #require(try await store.box("box-a"))
            #expect(view.heartbeatAgeMilliseconds >= 30)
            #expect(!view.isAlive(timeout: .milliseconds(10)))
        }
    }

    @Test func modeRequestsAreStoredPerBox() async throws {
        try await withStore { store in
            #expect(try await store.desired(box: "box-a") == nil)
            let request = ModeRequest(box: "box-a", mode: .llm, requestedBy: "key:ops")
            try await store.request(request)
            #expect(try await store.desired(box: "box-a") == request)
            #expect(try await store.desired(box: "box-b") == nil)
        }
    }

    @Test func aSwitchingBoxServesNoQueue() {
        var status = BoxStatus(box: "b", mode: .media, desiredMode: .llm, heartbeatMilliseconds: 0, gpus: [])
        status.switching = .init(id: "s", from: .media, to: .llm, step: .drain, rollingBack: false)
        #expect(status.servedQueues.isEmpty)
    }
}
