import Broker
import Emulators
import Foundation
import Images
import TestSupport
import Testing

@testable import Workers

/// Renders that fail in ComfyUI, and cancels, through the emulator.
extension MediaWorkerEndToEndTests {
    @Test("a photo ComfyUI cannot read fails the job once, as comfyui_invalid_input, without a second attempt")
    func unreadableInputIsFinal() async throws {
        let rig = try await MediaTestRig()
        defer { Task { await rig.tearDown() } }
        try await withEmulators(rig, gpus: 2, renderSeconds: 0.2) { _, urls in
            let id = try await rig.submit(MediaTestRig.picture(width: 16, height: 16), maxAttempts: 3)
            // The upload passed the gateway's checks; the stored file was cut short since.
            let payload = try #require(try await rig.snapshot(id)?.payload)
            let blob = try #require(
                (try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])?["input_blob"] as? String)
            let bytes = try await rig.blobs.read(blob)
            try await rig.blobs.write(Array(bytes.prefix(bytes.count / 2)), as: blob)
            let workers = (0..<2).map { DrainableWorker(rig.worker(gpu: $0, baseURL: urls[$0]), logger: rig.logger) }
            try await withServices(workers.map { worker in { try await worker.run() } }) {
                let job = try await rig.waitForState(id, [.succeeded, .failed, .dead])
                #expect(job.state == .failed)
                #expect(job.attempts == 1)
                #expect(job.errorCode == "comfyui_invalid_input")
                #expect(job.errorRetriable == false)
                #expect(job.errorMessage?.contains("LoadImage") == true, "\(job.errorMessage ?? "")")
            }
        }
    }

    @Test("a render the blob store cannot take at first is stored once it can, in the same attempt: no GPU time spent again")
    func outputStoreIsRetried() async throws {
        let rig = try await MediaTestRig()
        defer { Task { await rig.tearDown() } }
        try await withEmulators(rig, gpus: 1, renderSeconds: 0.2) { _, urls in
            let id = try await rig.submit(MediaTestRig.picture(width: 16, height: 16), maxAttempts: 3)
            // A directory where the PNG goes: the store's rename fails (EISDIR), as a full disk's write would.
            let output = rig.root.appendingPathComponent("blobs/dream-weaver/\(id)/output.png")
            try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: output.path + "/blocker", contents: Data())
            let worker = DrainableWorker(rig.worker(gpu: 0, baseURL: urls[0]), logger: rig.logger)
            try await withServices([{ try await worker.run() }]) {
                _ = try await rig.waitForState(id, [.processing])
                // Long enough for the 0.2 s render to end and its store to fail more than once.
                try await Task.sleep(for: .milliseconds(1_500))
                #expect(try await rig.snapshot(id)?.state == .processing)
                try FileManager.default.removeItem(at: output)
                let job = try await rig.waitForState(id, [.succeeded, .failed, .dead])
                #expect(job.state == .succeeded)
                #expect(job.attempts == 1)
                #expect(try await rig.blobs.read("dream-weaver/\(id)/output.png").starts(with: [0x89, 0x50, 0x4E, 0x47]))
            }
        }
    }

    @Test("an out-of-memory render is retried and succeeds on the next attempt")
    func outOfMemoryIsRetried() async throws {
        let rig = try await MediaTestRig()
        defer { Task { await rig.tearDown() } }
        try await withEmulators(
            rig, gpus: 1, renderSeconds: 0.2, configure: { _, configuration in configuration.faults = ComfyUIFaults(mode: .fail) }
        ) { _, urls in
            let worker = DrainableWorker(rig.worker(gpu: 0, baseURL: urls[0]), logger: rig.logger)
            try await withServices([{ try await worker.run() }]) {
                let id = try await rig.submit(MediaTestRig.picture(width: 16, height: 16))
                let job = try await rig.waitForState(id, [.succeeded, .failed, .dead])
                #expect(job.state == .succeeded)
                #expect(job.attempts == 2)
                #expect(job.errorCode == "comfyui_out_of_memory", "the first attempt's error stays on record")
            }
        }
    }

    @Test("a cancel interrupts a render whose nodes report no progress, before it finishes (not at the next heartbeat)")
    func cancelWithoutProgressInterrupts() async throws {
        let rig = try await MediaTestRig()
        defer { Task { await rig.tearDown() } }
        try await withEmulators(
            rig, gpus: 1, renderSeconds: 6, configure: { _, configuration in configuration.stepProgress = false }
        ) { _, urls in
            let worker = DrainableWorker(rig.worker(gpu: 0, baseURL: urls[0]), logger: rig.logger)
            try await withServices([{ try await worker.run() }]) {
                // A 30 s lease: the next heartbeat is 10 s away, after the render would end.
                let id = try await rig.submit(MediaTestRig.picture(width: 16, height: 16), leaseMilliseconds: 30_000)
                let client = ComfyUIClient(baseURL: urls[0], clientID: "inspector", http: rig.http)
                try await eventually("ComfyUI renders the job") { try await client.queue().running.contains(id) }
                #expect(try await rig.broker.cancel(queue: "media", jobID: id) == .requested)
                let job = try await rig.waitForState(id, [.canceled, .succeeded, .failed, .dead], limit: .seconds(30))
                #expect(job.state == .canceled)
                // Had the cancel waited for the heartbeat, the render would have run to its end.
                try await Task.sleep(for: .seconds(6.5))
                #expect(outputFiles(rig, gpu: 0).isEmpty, "the render ran to its end: \(outputFiles(rig, gpu: 0))")
                #expect(try await client.queue().running.isEmpty)
            }
        }
    }
}
