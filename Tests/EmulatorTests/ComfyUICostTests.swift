import CurlClient
import Emulators
import Foundation
import Images
import TestSupport
import Testing

/// The costs a real box has, as the emulator models them: checkpoints held in VRAM (least
/// recently used out), render times drawn from the sampler's seed, outputs of a real render's
/// weight, and upload and download bandwidth.
@Suite("ComfyUI emulator costs")
struct ComfyUICostTests {
    static let models = ["staging_xl.safetensors", "twilight_xl.safetensors", "declutter_xl.safetensors"]

    /// Renders the Dream Weaver prompt with `checkpoint` and waits for it to end.
    func render(_ fixture: ComfyUIFixture, checkpoint: String, seed: Int = 1) async throws -> ComfyJSON {
        let response = try await fixture.queue(
            ComfyUIPrompts.dreamWeaver(image: "room.png", seed: .int(Int128(seed)), checkpoint: checkpoint))
        return try await fixture.waitForHistory(try #require(try fixture.json(response)["prompt_id"]?.stringValue))
    }

    func withModels(capacity: Int, _ body: @Sendable @escaping (ComfyUIFixture) async throws -> Void) async throws {
        try await ComfyUIFixture.run({ configuration in
            configuration.checkpoints = Self.models
            let device = configuration.device
            configuration.device.workingVRAMBytes =
                device.vramTotalBytes - Int64(capacity) * device.modelVRAMBytes - device.modelVRAMBytes / 2
        }) { fixture in
            _ = try await fixture.upload(try TestImages.png(width: 8, height: 8), name: "room.png")
            try await body(fixture)
        }
    }

    @Test("checkpoints stay loaded while they fit beside a render's working memory; the least recently used goes first")
    func modelsInVRAM() async throws {
        let (a, b, c) = (Self.models[0], Self.models[1], Self.models[2])
        try await withModels(capacity: 1) { fixture in
            #expect(fixture.emulator.configuration.device.modelCapacity == 1)
            // A seed each: an unchanged prompt would come from ComfyUI's cache, not the GPU.
            for (seed, model) in [a, a, b, a].enumerated() { _ = try await render(fixture, checkpoint: model, seed: seed) }
            #expect(fixture.emulator.statistics.modelLoads == 3)
            #expect(fixture.emulator.statistics.loadedModels == [a])
            #expect(fixture.emulator.statistics.renders == 4)
        }
        try await ComfyUIFixture.run({ configuration in
            configuration.checkpoints = Self.models
            configuration.modelLoadSeconds = 0.2
        }) { fixture in
            _ = try await fixture.upload(try TestImages.png(width: 8, height: 8), name: "room.png")
            let before = ContinuousClock.now
            for (seed, model) in [a, b].enumerated() { _ = try await render(fixture, checkpoint: model, seed: seed) }
            let wall = before.duration(to: .now).inSeconds
            let statistics = fixture.emulator.statistics
            // Where the executor's time went: two loads, two samplings, and the prompts around them.
            #expect(statistics.prompts == 2)
            #expect(statistics.modelLoadSeconds >= 0.4)
            #expect(statistics.promptSeconds >= statistics.busySeconds + statistics.modelLoadSeconds)
            #expect(statistics.promptSeconds <= wall)
            #expect(statistics.lastPromptEnded != nil)
        }
        try await withModels(capacity: 2) { fixture in
            for (seed, model) in [a, b, a, c, b].enumerated() {
                _ = try await render(fixture, checkpoint: model, seed: seed)
            }
            // a, b loaded; a used again; c evicts b; b evicts a.
            #expect(fixture.emulator.statistics.modelLoads == 4)
            #expect(fixture.emulator.statistics.loadedModels == [c, b])
        }
        // The default device (no working memory set) holds three.
        #expect(ComfyUIEmulatorConfiguration.Device().modelCapacity == 3)
    }

    @Test("a render's time is drawn from its seed: the same seed takes the same time, another seed another")
    func renderTimeDraws() async throws {
        try await ComfyUIFixture.run({ configuration in
            configuration.renderSecondsSpread = 0.5
            configuration.cacheEnabled = false  // the same prompt twice must sample twice
        }) { fixture in
            _ = try await fixture.upload(try TestImages.png(width: 8, height: 8), name: "room.png")
            _ = try await render(fixture, checkpoint: ComfyUIFixture.checkpoint, seed: 7)
            let first = fixture.emulator.statistics.renderSeconds
            _ = try await render(fixture, checkpoint: ComfyUIFixture.checkpoint, seed: 7)
            #expect(abs(fixture.emulator.statistics.renderSeconds - 2 * first) < 1e-9)
            _ = try await render(fixture, checkpoint: ComfyUIFixture.checkpoint, seed: 8)
            #expect(abs(fixture.emulator.statistics.renderSeconds - 3 * first) > 1e-6)
            #expect(first != fixture.emulator.configuration.renderSeconds)
        }
        try await ComfyUIFixture.run { fixture in
            _ = try await fixture.upload(try TestImages.png(width: 8, height: 8), name: "room.png")
            _ = try await render(fixture, checkpoint: ComfyUIFixture.checkpoint, seed: 7)
            #expect(fixture.emulator.statistics.renderSeconds == fixture.emulator.configuration.renderSeconds)
            // Busy for at least the drawn time (timers are never early).
            #expect(fixture.emulator.statistics.busySeconds >= fixture.emulator.statistics.renderSeconds)
        }
    }

    @Test("saved images weigh what the configured range draws and decode to the same pixels")
    func outputWeight() async throws {
        let input = TestImages.gradient(width: 21, height: 13)
        try await ComfyUIFixture.run({ $0.outputBytes = 40_000...60_000 }) { fixture in
            _ = try await fixture.upload(try PNGCodec.encode(input), name: "room.png")
            let entry = try await render(fixture, checkpoint: ComfyUIFixture.checkpoint, seed: 3)
            let image = try #require(entry["outputs"]?["9"]?["images"]?.arrayValue?.first)
            let name = try #require(image["filename"]?.stringValue)
            let view = try await fixture.get("/view?filename=\(name)&subfolder=dw&type=output")
            #expect((40_000...60_000).contains(view.body.count))
            // Every CRC checked, the padding chunk's too.
            #expect(try ImageValidator().validate(view.body).format == .png)
            let expected = ComfyUIRender.expectedOutput(for: input, seed: 3, denoise: 1.0)
            #expect(try PNGCodec.decode(view.body).bytes == expected.bytes.chunked3WithOpaqueAlpha)
        }
    }

    @Test("PNG padding: the exact size asked, a valid chunk; a file already that large or not a PNG is left alone")
    func padding() throws {
        let png = try TestImages.png(width: 4, height: 4)
        let padded = PNGPadding.padded(png, toBytes: png.count + 1_000)
        #expect(padded.count == png.count + 1_000)
        #expect(try ImageValidator().validate(padded).width == 4)
        #expect(PNGPadding.padded(png, toBytes: png.count + 5) == png)  // too small for a chunk
        #expect(PNGPadding.padded(Array("not a png at all, not at all".utf8), toBytes: 1_000).count == 28)
    }

    @Test("uploads and downloads take at least their bytes ÷ the configured bandwidth")
    func bandwidth() async throws {
        let photo = PNGPadding.padded(try TestImages.png(width: 8, height: 8), toBytes: 200_000)
        try await ComfyUIFixture.run({ configuration in
            configuration.uploadBytesPerSecond = 1_000_000
            configuration.downloadBytesPerSecond = 2_000_000
        }) { fixture in
            let clock = ContinuousClock()
            let uploadStart = clock.now
            _ = try await fixture.upload(photo, name: "room.png")
            #expect(clock.now - uploadStart >= .milliseconds(200))
            let downloadStart = clock.now
            let view = try await fixture.get("/view?filename=room.png&type=input")
            #expect(view.body == photo)
            #expect(clock.now - downloadStart >= .milliseconds(100))
        }
    }

    @Test("velocity emulator comfyui and bench gpu-pool refuse bad cost options before they listen or connect")
    func refusals() async throws {
        for (arguments, message) in [
            (["--render-spread=-1"], "durations and --render-spread cannot be negative"),
            (["--working-vram-gib", "30"], "--working-vram-gib must be at least 0 and less than --vram-gib"),
            (["--upload-mb-per-s=-5"], "bandwidths cannot be negative"),
            (["--output-mb", "6-2"], "--output-mb must be a range of MB like 2-6"),
            (["--output-mb", "big"], "--output-mb must be a range of MB like 2-6"),
        ] {
            let outcome = try await VelocityBinary.run(["emulator", "comfyui", "--port", "1"] + arguments)
            #expect(outcome.status != 0, "\(arguments)")
            #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
        }
        // The pool bench reads the same ranges, and refuses before it connects (nothing listens on port 1).
        for (arguments, message) in [
            (["--photo-mb", "12-4"], "--photo-mb must be a range of MB like 2-6"),
            (["--output-mb", "0-6"], "--output-mb must be a range of MB like 2-6"),
            (["--worker", "lazy"], "--worker is prefetch or naive"),
            (["--model-load-seconds=-1"], "the rest not negative"),
        ] {
            let outcome = try await VelocityBinary.run(["bench", "gpu-pool", "--redis-url", "redis://127.0.0.1:1"] + arguments)
            #expect(outcome.status != 0, "\(arguments)")
            #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
            #expect(!outcome.stderr.contains("127.0.0.1:1"), "\(outcome.stderr)")
        }
    }
}
