import Broker
import Foundation
import GPUBox
import TestSupport
import Testing

@testable import Workers

/// GPUs taken out of service: by a fatal Xid in the kernel log, by an operator; and put back.
/// (In the box agent's serialized suite: agents with emulator processes run one at a time.)
extension BoxAgentTests {
    @Test("a fatal Xid drains its GPU at once, recorded for the operator; a harmless one does not; undrain brings it back")
    func fatalXidDrains() async throws {
        let fixture = try await AgentFixture.make(gpus: 2)
        try await fixture.withAgent { _ in
            _ = try await fixture.waitForMode(.media)
            // GPU 1 is at PCI 0000:02:00 (the fake nvidia-smi's bus ids).
            try fixture.appendKernelLog(
                "3,1450,8800123456,-;NVRM: Xid (PCI:0000:02:00): 13, pid=2231, name=python3, Graphics SM Warp Exception")
            try fixture.appendKernelLog(
                "3,1451,8800123999,-;NVRM: Xid (PCI:0000:02:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus."
            )
            let drained = try await fixture.waitForGPU(1, "drained") { $0.health == .drained && $0.backend == nil }
            #expect(
                drained.healthReason?.contains("Xid 79: pid='<unknown>', name=<unknown>, GPU has fallen off the bus.") == true)
            #expect(drained.backend == nil && drained.backendPID == nil)
            #expect(drained.drain?.requestedBy == "agent:xid" && drained.drain?.immediate == true)
            let stored = try await fixture.store.drains(box: fixture.configuration.box)
            #expect(stored.keys.sorted() == [1], "only the fatal Xid drains")
            let gpu0 = try #require(try await fixture.store.box(fixture.configuration.box)?.status.gpus.first { $0.index == 0 })
            #expect(gpu0.health == .healthy && gpu0.backendState == "consuming")
            let ids = try await (0..<3).asyncMap { _ in try await fixture.submitRender() }
            #expect(try await fixture.waitForJobs(ids, queue: "media").allSatisfy { $0.state == .succeeded })

            // The operator reset the GPU: undrain starts its ComfyUI again.
            #expect(try await fixture.store.undrain(box: fixture.configuration.box, gpu: 1))
            let back = try await fixture.waitForGPU(1, "came back") { $0.backendState == "consuming" }
            #expect(back.health == .healthy && back.drain == nil && back.backend == "comfyui@1")
        }
    }

    @Test("an operator's drain lets the running render finish, then stops the GPU's backend; others keep rendering")
    func operatorDrainIsGraceful() async throws {
        let fixture = try await AgentFixture.make(gpus: 2, renderSeconds: 2)
        try await fixture.withAgent { _ in
            _ = try await fixture.waitForMode(.media)
            // Four, not two: GPU 0's worker holds one render and prefetches the next, so with two
            // a GPU 1 slow to start claiming (a loaded machine) would never get one.
            let first = try await (0..<4).asyncMap { _ in try await fixture.submitRender() }
            let running = try #require(try await fixture.waitForGPU(1, "got a job") { $0.currentJob != nil }.currentJob)
            try await fixture.store.drain(
                box: fixture.configuration.box, gpu: 1, requestedBy: "acme:ops", reason: "fan noise", immediate: false)
            let drained = try await fixture.waitForGPU(1, "drained") { $0.health == .drained && $0.backend == nil }
            #expect(drained.drain?.reason == "fan noise" && drained.backend == nil)
            // The render GPU 1 ran when the drain came finished there, on its one attempt.
            let jobs = try await fixture.waitForJobs(first, queue: "media")
            #expect(jobs.allSatisfy { $0.state == .succeeded && $0.attempts == 1 }, "\(jobs.map { ($0.state, $0.attempts) })")
            #expect(jobs.first { $0.id == running }?.worker?.contains("comfyui@1") == true, "not given back to GPU 0")
            let later = try await (0..<2).asyncMap { _ in try await fixture.submitRender() }
            let done = try await fixture.waitForJobs(later, queue: "media")
            #expect(done.allSatisfy { $0.state == .succeeded && $0.worker?.contains("comfyui@0") == true })
        }
    }
}
