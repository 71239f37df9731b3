import CurlClient
import Emulators
import Foundation
import Images
import Logging
import Synchronization
import TestSupport
import Testing
import WSClient

/// A running emulator on a free loopback port with its own directories, and an HTTP client.
struct ComfyUIFixture: Sendable {
    let emulator: ComfyUIEmulator
    let base: String
    let http: CurlHTTPClient
    let root: String

    static let checkpoint = "dreamshaper_8.safetensors"

    /// Runs `body` against a fresh emulator (fast renders unless configured otherwise).
    static func run(
        _ configure: (inout ComfyUIEmulatorConfiguration) -> Void = { _ in },
        _ body: @Sendable (ComfyUIFixture) async throws -> Void
    ) async throws {
        let root = NSTemporaryDirectory() + "comfyui-emulator-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        var configuration = ComfyUIEmulatorConfiguration(root: root)
        configuration.checkpoints = [checkpoint]
        configuration.renderSeconds = 0.05
        configure(&configuration)
        var logger = Logger(label: "comfyui-emulator-test")
        logger.logLevel = .warning
        try await ComfyUIEmulator.withRunning(configuration, logger: logger) { emulator, base in
            try await CurlHTTPClient.withClient { http in
                try await body(ComfyUIFixture(emulator: emulator, base: base, http: http, root: root))
            }
        }
    }

    func get(_ path: String) async throws -> HTTPClientResponse {
        try await http.execute(HTTPClientRequest(url: base + path))
    }

    func post(_ path: String, json: ComfyJSON) async throws -> HTTPClientResponse {
        try await post(path, body: json.serialized)
    }

    func post(_ path: String, body: String) async throws -> HTTPClientResponse {
        try await http.execute(.bytes("POST", base + path, Array(body.utf8), contentType: "application/json"))
    }

    func json(_ response: HTTPClientResponse) throws -> ComfyJSON {
        try ComfyJSON.parse(response.body)
    }

    /// `POST /prompt`; returns the response.
    func queue(_ prompt: ComfyJSON, id: String? = nil, clientID: String? = nil) async throws -> HTTPClientResponse {
        var body: ComfyJSON.Object = ["prompt": prompt]
        if let id { body["prompt_id"] = .string(id) }
        if let clientID { body["client_id"] = .string(clientID) }
        return try await post("/prompt", json: .object(body))
    }

    /// `POST /upload/image` of PNG bytes; returns the response.
    func upload(_ bytes: [UInt8], name: String, overwrite: Bool? = nil, subfolder: String? = nil) async throws
        -> HTTPClientResponse
    {
        var form = MultipartForm()
        form.addData("image", bytes, filename: name, contentType: "image/png")
        if let overwrite { form.addField("overwrite", overwrite ? "true" : "false") }
        if let subfolder { form.addField("subfolder", subfolder) }
        return try await http.execute(HTTPClientRequest(method: "POST", url: base + "/upload/image", body: .multipart(form)))
    }

    /// Polls `/history/{id}` until the prompt is there; returns its entry.
    func waitForHistory(_ id: String) async throws -> ComfyJSON {
        var entry: ComfyJSON?
        try await eventually("history entry for \(id)") {
            entry = try json(try await get("/history/\(id)"))[id]
            return entry != nil
        }
        return entry!
    }
}

/// Prompts in ComfyUI's API format.
enum ComfyUIPrompts {
    /// The Dream Weaver shape: checkpoint, two text encodes, LoadImage → VAEEncode → KSampler
    /// (img2img) → VAEDecode → SaveImage.
    static func dreamWeaver(
        image: String, seed: ComfyJSON = 66051, steps: ComfyJSON = 4, denoise: ComfyJSON = 1.0, prefix: String = "dw/job",
        checkpoint: String = ComfyUIFixture.checkpoint
    ) -> ComfyJSON {
        [
            "4": ["class_type": "CheckpointLoaderSimple", "inputs": ["ckpt_name": .string(checkpoint)]],
            "6": ["class_type": "CLIPTextEncode", "inputs": ["text": "a cozy scandinavian living room", "clip": ["4", 1]]],
            "7": ["class_type": "CLIPTextEncode", "inputs": ["text": "blurry, lowres", "clip": ["4", 1]]],
            "10": ["class_type": "LoadImage", "inputs": ["image": .string(image)]],
            "11": ["class_type": "VAEEncode", "inputs": ["pixels": ["10", 0], "vae": ["4", 2]]],
            "3": [
                "class_type": "KSampler",
                "inputs": [
                    "seed": seed, "steps": steps, "cfg": 7.0, "sampler_name": "euler", "scheduler": "normal",
                    "denoise": denoise, "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0],
                    "latent_image": ["11", 0],
                ],
            ],
            "8": ["class_type": "VAEDecode", "inputs": ["samples": ["3", 0], "vae": ["4", 2]]],
            "9": ["class_type": "SaveImage", "inputs": ["images": ["8", 0], "filename_prefix": .string(prefix)]],
        ]
    }

    /// A model-free smoke prompt: LoadImage → ImageInvert → SaveImage.
    static func smoke(image: String, prefix: String = "smoke") -> ComfyJSON {
        [
            "1": ["class_type": "LoadImage", "inputs": ["image": .string(image)]],
            "2": ["class_type": "ImageInvert", "inputs": ["image": ["1", 0]]],
            "3": ["class_type": "SaveImage", "inputs": ["images": ["2", 0], "filename_prefix": .string(prefix)]],
        ]
    }
}

/// Test images.
enum TestImages {
    /// An RGBA gradient with varying alpha.
    static func gradient(width: Int, height: Int) -> PNGCodec.Pixels {
        var bytes: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                bytes += [UInt8((x * 37) % 256), UInt8((y * 53) % 256), UInt8((x * y) % 256), UInt8(255 - (x % 128))]
            }
        }
        return PNGCodec.Pixels(width: width, height: height, channels: 4, bytes: bytes)
    }

    static func png(width: Int, height: Int) throws -> [UInt8] {
        try PNGCodec.encode(gradient(width: width, height: height))
    }
}

/// A websocket connected to the emulator's `/ws`, recording every JSON message.
final class SocketRecorder: Sendable {
    private let received = Mutex<[ComfyJSON]>([])

    var messages: [ComfyJSON] { received.withLock { $0 } }

    /// The `type`s received so far.
    var types: [String] { messages.compactMap { $0["type"]?.stringValue } }

    /// Messages about `promptID` (their `data.prompt_id`).
    func messages(for promptID: String) -> [ComfyJSON] {
        messages.filter { $0["data"]?["prompt_id"]?.stringValue == promptID }
    }

    /// Connects with `clientID`, runs `body` once the `status` greeting arrived, then disconnects.
    static func with<T: Sendable>(
        _ fixture: ComfyUIFixture, clientID: String?, _ body: @Sendable (SocketRecorder) async throws -> T
    ) async throws -> T {
        let recorder = SocketRecorder()
        let url =
            fixture.base.replacingOccurrences(of: "http://", with: "ws://") + "/ws"
            + (clientID.map { "?clientId=\($0)" } ?? "")
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await WebSocketClient.connect(url: url, logger: Logger(label: "ws-test")) { inbound, _, _ in
                    for try await message in inbound.messages(maxSize: 1 << 24) {
                        guard case .text(let text) = message else { continue }
                        let json = try ComfyJSON.parse(text)
                        recorder.received.withLock { $0.append(json) }
                    }
                }
            }
            defer { group.cancelAll() }
            try await eventually("websocket greeting") { recorder.types.contains("status") }
            return try await body(recorder)
        }
    }
}

extension [UInt8] {
    /// RGB bytes as the RGBA PNGCodec decodes an opaque RGB file to.
    var chunked3WithOpaqueAlpha: [UInt8] {
        var out: [UInt8] = []
        for start in stride(from: 0, to: count, by: 3) {
            out += self[start..<start + 3]
            out.append(255)
        }
        return out
    }
}
