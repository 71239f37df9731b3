import Broker
import Emulators
import Foundation
import Images
import TestSupport
import Testing
import Workers

/// The media worker end to end: ComfyUI emulators (in process), real Redis, a file blob store.
/// Outcomes and counts only; durations are logged, never asserted.
@Suite("Media worker end to end", .serialized)
struct MediaWorkerEndToEndTests {
    /// Emulators for `gpus` GPUs, running for the duration of `body`, which gets their URLs.
    func withEmulators<T: Sendable>(
        _ rig: MediaTestRig, gpus: Int, renderSeconds: Double,
        configure: (Int, inout ComfyUIEmulatorConfiguration) -> Void = { _, _ in },
        _ body: ([ComfyUIEmulator], [String]) async throws -> T
    ) async throws -> T {
        let emulators = (0..<gpus).map { gpu in
            var configuration = rig.emulatorConfiguration(gpu: gpu, renderSeconds: renderSeconds)
            configure(gpu, &configuration)
            return ComfyUIEmulator(configuration: configuration, logger: rig.quietLogger)
        }
        return try await withServices(emulators.map { emulator in { try await emulator.run() } }) {
            var urls: [String] = []
            for emulator in emulators { urls.append("http://127.0.0.1:\(try await emulator.waitUntilListening())") }
            return try await body(emulators, urls)
        }
    }

    func outputFiles(_ rig: MediaTestRig, gpu: Int) -> [String] {
        let directory = rig.root.appendingPathComponent("gpu\(gpu)/output/velocity")
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".png") }
    }

    @Test("an upload renders, and the stored result is the emulator's documented transform of it")
    func rendersTheExpectedTransform() async throws {
        let rig = try await MediaTestRig()
        defer { Task { await rig.tearDown() } }
        try await withEmulators(rig, gpus: 1, renderSeconds: 0.2) { _, urls in
            let worker = DrainableWorker(rig.worker(gpu: 0, baseURL: urls[0]), logger: rig.logger)
            try await withServices([{ try await worker.run() }]) {
                // Not multiples of 8: VAEEncode's crop is part of the expected transform.
                let picture = MediaTestRig.picture(width: 37, height: 29)
                let id = try await rig.submit(picture, seed: 0x00A0_B0C0)
                let job = try await rig.waitForState(id, [.succeeded, .failed, .dead])
                #expect(job.state == .succeeded, "\(job.errorCode ?? "") \(job.errorMessage ?? "")")
                #expect(job.attempts == 1)

                let result = try #require(
                    job.result.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
                let outputBlob = "dream-weaver/\(id)/output.png"
                #expect(result["output_blob"] as? String == outputBlob)
                #expect(result["width"] as? Int == 32)
                #expect(result["height"] as? Int == 24)

                let stored = try PNGCodec.decode(try await rig.blobs.read(outputBlob))
                let denoise = try #require(rig.workflow.graph["7"]?["inputs"]?["denoise"]?.doubleValue)
                let expected = ComfyUIRender.expectedOutput(for: picture, seed: 0x00A0_B0C0, denoise: denoise)
                #expect(stored.width == expected.width && stored.height == expected.height)
                // The decoder hands back RGBA; SaveImage wrote RGB, so every alpha is opaque.
                #expect(expected.channels == 3 && stored.channels == 4)
                let rgb = stride(from: 0, to: stored.bytes.count, by: 4).flatMap { stored.bytes[$0..<$0 + 3] }
                #expect(stride(from: 3, to: stored.bytes.count, by: 4).allSatisfy { stored.bytes[$0] == 255 })
                #expect(rgb == expected.bytes)

                // History is cleaned up, and the agent heard the whole story.
                let client = ComfyUIClient(baseURL: urls[0], clientID: "inspector", http: rig.http)
                #expect(try await client.history(id) == nil)
                let story = rig.activities(gpu: 0)
                #expect(story.first == .jobStarted(jobID: id))
                #expect(story.last == .jobFinished(jobID: id, outcome: .succeeded))
                #expect(story.contains { if case .jobProgress(id, let f) = $0 { return f > 0 && f <= 1 } else { return false } })
            }
        }
    }

    @Test("4 GPUs render 40 jobs: every job succeeds exactly once, on one attempt")
    func fourGPUsFortyJobs() async throws {
        let rig = try await MediaTestRig()
        defer { Task { await rig.tearDown() } }
        try await withEmulators(rig, gpus: 4, renderSeconds: 0.25) { _, urls in
            let workers = urls.enumerated().map { DrainableWorker(rig.worker(gpu: $0, baseURL: $1), logger: rig.logger) }
            try await withServices(workers.map { worker in { try await worker.run() } }) {
                let pictures = (0..<40).map { MediaTestRig.picture(width: 24, height: 16, salt: $0) }
                let started = ContinuousClock.now
                let ids = try await rig.submitMany(pictures)
                try await eventually("40 jobs finished", limit: .seconds(120)) {
                    try await rig.broker.states(queue: "media", ids: ids).allSatisfy { $0?.isTerminal == true }
                }
                let wall = ContinuousClock.now - started
                print("4 GPUs × 0.25 s renders: 40 jobs in \(wall) (ideal 2.5 s)")
                let states = try await rig.broker.states(queue: "media", ids: ids)
                #expect(states.allSatisfy { $0 == .succeeded })
                for id in ids {
                    #expect(try await rig.finished(id, .succeeded).count == 1, "job \(id)")
                    #expect(try await rig.snapshot(id)?.attempts == 1)
                }
                let finished = rig.activities.filter { if case .jobFinished = $0.activity { return true } else { return false } }
                #expect(finished.count == 40)
                let perGPU = (0..<4).map { outputFiles(rig, gpu: $0).count }
                #expect(perGPU.reduce(0, +) == 40)
                #expect(perGPU.allSatisfy { $0 > 0 }, "renders per GPU: \(perGPU)")
            }
        }
    }

    @Test("a ComfyUI crash mid-render retries the job on another GPU, where it succeeds")
    func crashRetriesElsewhere() async throws {
        let rig = try await MediaTestRig()
        defer { Task { await rig.tearDown() } }
        try await withEmulators(rig, gpus: 2, renderSeconds: 0.5) { gpu, configuration in
            if gpu == 0 { configuration.faults = ComfyUIFaults(mode: .crash, atStep: 3) }
        } _: { _, urls in
            let crashing = DrainableWorker(rig.worker(gpu: 0, baseURL: urls[0]), logger: rig.logger)
            try await withServices([{ try await crashing.run() }]) {
                let id = try await rig.submit(MediaTestRig.picture(width: 16, height: 16))
                // Only GPU 0 runs until it took the job; then GPU 1 joins.
                try await eventually("GPU 0 started the job") { rig.started(id) }
                let healthy = rig.worker(gpu: 1, baseURL: urls[1])
                try await withServices([{ try await healthy.run() }]) {
                    let job = try await rig.waitForState(id, [.succeeded, .failed, .dead])
                    #expect(job.state == .succeeded)
                    #expect(job.attempts == 2)
                    #expect(
                        rig.finishes(id, .failed(code: "comfyui_unreachable")) == [0]
                            || rig.finishes(id, .failed(code: "comfyui_prompt_lost")) == [0])
                    #expect(try await rig.finished(id, .succeeded) == [1])
                    #expect(outputFiles(rig, gpu: 1).count == 1)
                    #expect(outputFiles(rig, gpu: 0).isEmpty)
                    #expect(
                        rig.activities(gpu: 0).contains {
                            if case .backendUnresponsive = $0 { return true } else { return false }
                        })
                }
            }
        }
    }

    @Test("a ComfyUI that hangs mid-render (HTTP up, prompt stuck): the job moves to another GPU; the hung one stays out")
    func hangRetriesElsewhere() async throws {
        let rig = try await MediaTestRig()
        defer { Task { await rig.tearDown() } }
        try await withEmulators(rig, gpus: 2, renderSeconds: 0.5) { gpu, configuration in
            if gpu == 0 { configuration.faults = ComfyUIFaults(mode: .hang, atStep: 2) }
        } _: { _, urls in
            let hanging = DrainableWorker(rig.worker(gpu: 0, baseURL: urls[0]), logger: rig.logger)
            try await withServices([{ try await hanging.run() }]) {
                let id = try await rig.submit(MediaTestRig.picture(width: 16, height: 16))
                try await eventually("GPU 0 started the job") { rig.started(id) }
                let healthy = rig.worker(gpu: 1, baseURL: urls[1])
                try await withServices([{ try await healthy.run() }]) {
                    let job = try await rig.waitForState(id, [.succeeded, .failed, .dead])
                    #expect(job.state == .succeeded)
                    #expect(job.attempts == 2)
                    #expect(try await rig.finished(id, .succeeded) == [1])
                    #expect(
                        rig.activities(gpu: 0).contains {
                            if case .backendUnresponsive = $0 { return true } else { return false }
                        })
                    // The hung GPU takes no more work: the next job renders on GPU 1 too.
                    let next = try await rig.submit(MediaTestRig.picture(width: 16, height: 16, salt: 9))
                    #expect(try await rig.waitForState(next, [.succeeded, .failed, .dead]).state == .succeeded)
                    #expect(try await rig.finished(next, .succeeded) == [1])
                    #expect(!rig.started(next) || rig.activities(gpu: 0).allSatisfy { $0 != .jobStarted(jobID: next) })
                }
            }
        }
    }

    @Test("cancel interrupts a running render: the job ends canceled and ComfyUI runs nothing")
    func cancelInterrupts() async throws {
        let rig = try await MediaTestRig()
        defer { Task { await rig.tearDown() } }
        try await withEmulators(rig, gpus: 1, renderSeconds: 20) { _, urls in
            let worker = DrainableWorker(rig.worker(gpu: 0, baseURL: urls[0]), logger: rig.logger)
            try await withServices([{ try await worker.run() }]) {
                let id = try await rig.submit(MediaTestRig.picture(width: 16, height: 16))
                try await eventually("the render is under way") {
                    rig.activities(gpu: 0).contains { if case .jobProgress(id, _) = $0 { return true } else { return false } }
                }
                #expect(try await rig.broker.cancel(queue: "media", jobID: id) == .requested)
                let job = try await rig.waitForState(id, [.canceled, .succeeded, .failed, .dead])
                #expect(job.state == .canceled)
                #expect(try await rig.finished(id, .canceled) == [0])
                let client = ComfyUIClient(baseURL: urls[0], clientID: "inspector", http: rig.http)
                let queue = try await client.queue()
                #expect(queue.running.isEmpty && queue.pending.isEmpty)
                #expect(outputFiles(rig, gpu: 0).isEmpty)
            }
        }
    }

    @Test("a 200 whose node_errors is not empty fails the job with comfyui_validation_failed, naming the node")
    func nodeErrorsFail() async throws {
        // The shipped workflow plus a second output fed by an invalid node: ComfyUI queues the
        // valid output and reports the other in node_errors, on a 200.
        var workflowJSON =
            try JSONSerialization.jsonObject(
                with: Data(
                    contentsOf: URL(fileURLWithPath: MediaTestRig.manifestPath).deletingLastPathComponent()
                        .appendingPathComponent("dream_weaver.json"))) as! [String: Any]
        workflowJSON["20"] = [
            "class_type": "ImageScale",
            "inputs": ["image": ["2", 0], "upscale_method": "sideways", "width": 64, "height": 64, "crop": "disabled"],
        ]
        workflowJSON["21"] = ["class_type": "PreviewImage", "inputs": ["images": ["20", 0]]]
        let workflow = try DreamWeaverWorkflow(
            manifestJSON: Array(try Data(contentsOf: URL(fileURLWithPath: MediaTestRig.manifestPath))),
            workflowJSON: Array(try JSONSerialization.data(withJSONObject: workflowJSON)))
        let rig = try await MediaTestRig(workflow: workflow)
        defer { Task { await rig.tearDown() } }
        try await withEmulators(rig, gpus: 1, renderSeconds: 0.2) { _, urls in
            let worker = DrainableWorker(rig.worker(gpu: 0, baseURL: urls[0]), logger: rig.logger)
            try await withServices([{ try await worker.run() }]) {
                let id = try await rig.submit(MediaTestRig.picture(width: 16, height: 16))
                let job = try await rig.waitForState(id, [.succeeded, .failed, .dead])
                #expect(job.state == .failed)
                #expect(job.attempts == 1)
                #expect(job.errorCode == "comfyui_validation_failed")
                #expect(job.errorMessage?.contains("node 20") == true, "\(job.errorMessage ?? "")")
                #expect(job.errorMessage?.contains("upscale_method") == true, "\(job.errorMessage ?? "")")
                #expect(job.errorRetriable == false)
                let client = ComfyUIClient(baseURL: urls[0], clientID: "inspector", http: rig.http)
                try await eventually("ComfyUI holds nothing of it") {
                    let queue = try await client.queue()
                    return queue.running.isEmpty && queue.pending.isEmpty
                }
            }
        }
    }

    @Test("drain gives the prefetched job back without spending its attempt and finishes the current render")
    func drainReleasesPrefetched() async throws {
        let rig = try await MediaTestRig()
        defer { Task { await rig.tearDown() } }
        try await withEmulators(rig, gpus: 1, renderSeconds: 1.5) { _, urls in
            let worker = DrainableWorker(rig.worker(gpu: 0, baseURL: urls[0]), logger: rig.logger)
            try await withServices([{ try await worker.run() }]) {
                let ids = try await rig.submitMany([
                    MediaTestRig.picture(width: 16, height: 16, salt: 1), MediaTestRig.picture(width: 16, height: 16, salt: 2),
                ])
                // The first renders while the second is claimed (and its photo uploaded).
                try await eventually("one renders, the other is prefetched") {
                    let states = try await rig.broker.states(queue: "media", ids: ids)
                    return states.allSatisfy { $0 == .starting || $0 == .processing } && ids.contains { rig.started($0) }
                }
                let current = ids.first { rig.started($0) }!
                let prefetched = ids.first { $0 != current }!
                await worker.drain()
                let done = try await rig.waitForState(current, [.succeeded, .failed, .dead])
                #expect(done.state == .succeeded)
                let back = try await rig.waitForState(prefetched, [.queued])
                #expect(back.attempts == 0)
                #expect(!rig.started(prefetched))
                #expect(try await rig.finished(current, .succeeded) == [0])
            }
        }
    }

    @Test("a stopped worker (drain deadline passed) interrupts its render and gives the job back unspent")
    func cancellationReleases() async throws {
        let rig = try await MediaTestRig()
        defer { Task { await rig.tearDown() } }
        try await withEmulators(rig, gpus: 1, renderSeconds: 20) { _, urls in
            let worker = rig.worker(gpu: 0, baseURL: urls[0])
            let id = try await rig.submit(MediaTestRig.picture(width: 16, height: 16))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await worker.run() }
                try await eventually("the render is under way") {
                    rig.activities(gpu: 0).contains { if case .jobProgress(id, _) = $0 { return true } else { return false } }
                }
                group.cancelAll()
                try await group.waitForAll()
            }
            let job = try #require(try await rig.snapshot(id))
            #expect(job.state == .queued)
            #expect(job.attempts == 0)
            #expect(rig.finishes(id, .released) == [0])
            let client = ComfyUIClient(baseURL: urls[0], clientID: "inspector", http: rig.http)
            let queue = try await client.queue()
            #expect(queue.running.isEmpty && queue.pending.isEmpty)
        }
    }

    @Test("a websocket that stalls for good does not stall the job: history polling finishes it")
    func stalledWebsocket() async throws {
        let rig = try await MediaTestRig()
        defer { Task { await rig.tearDown() } }
        try await withEmulators(rig, gpus: 1, renderSeconds: 0.2) { _, configuration in
            configuration.faults = ComfyUIFaults(websocketStall: true)
        } _: { _, urls in
            let worker = DrainableWorker(rig.worker(gpu: 0, baseURL: urls[0]), logger: rig.logger)
            try await withServices([{ try await worker.run() }]) {
                let ids = try await rig.submitMany((0..<3).map { MediaTestRig.picture(width: 16, height: 16, salt: $0) })
                for id in ids {
                    let job = try await rig.waitForState(id, [.succeeded, .failed, .dead])
                    #expect(job.state == .succeeded)
                }
            }
        }
    }
}
