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
}
