import Hummingbird
import NIOPosix

extension ComfyUIEmulator {
    /// ComfyUI's model folder names (`GET /models`).
    static let modelFolderNames = [
        "checkpoints", "configs", "loras", "vae", "text_encoders", "diffusion_models", "clip_vision", "style_models",
        "embeddings", "diffusers", "vae_approx", "controlnet", "gligen", "upscale_models", "latent_upscale_models",
        "custom_nodes", "hypernetworks", "photomaker", "classifiers", "model_patches", "audio_encoders",
    ]

    /// `GET /system_stats`: the emulated host and its one CUDA device. RAM shrinks by the
    /// memory-growth fault; VRAM shows the loaded models.
    func systemStats() -> Response {
        let device = configuration.device
        let modelBytes = Int64(runtime.loadedModelCount) * device.modelVRAMBytes
        let ramFree = max(0, configuration.ramFreeBytes - runtime.memoryLost)
        return ComfyUIResponses.json([
            "system": [
                "os": "linux", "ram_total": .int(Int128(configuration.ramTotalBytes)), "ram_free": .int(Int128(ramFree)),
                "comfyui_version": .string(configuration.comfyUIVersion), "required_frontend_version": "1.36.14",
                "installed_templates_version": "0.7.69", "required_templates_version": "0.7.69",
                "python_version": "3.12.3 (main, Nov  6 2025, 13:44:16) [GCC 13.3.0]", "pytorch_version": "2.9.1+cu128",
                "embedded_python": false, "argv": .array(configuration.argv.map(ComfyJSON.string)),
            ],
            "devices": [
                [
                    "name": .string("cuda:\(device.index) \(device.name) : \(device.allocatorBackend)"), "type": "cuda",
                    "index": .int(device.index), "vram_total": .int(Int128(device.vramTotalBytes)),
                    "vram_free": .int(Int128(max(0, device.vramTotalBytes - modelBytes))),
                    "torch_vram_total": .int(Int128(modelBytes)), "torch_vram_free": .int(Int128(modelBytes / 20)),
                ]
            ],
        ])
    }

    /// `GET /object_info` (all node types) or `/object_info/{class}` (`{}` when unknown).
    func objectInfo(_ nodeClass: String?) async throws -> Response {
        let folders = folders
        let definitions = try await NIOThreadPool.singleton.runIfActive { Self.definitions(folders) }
        var object = ComfyJSON.Object()
        for definition in definitions where nodeClass == nil || nodeClass == definition.name {
            object[definition.name] = definition.objectInfo
        }
        return ComfyUIResponses.json(.object(object))
    }

    func modelFolderNames() -> Response {
        ComfyUIResponses.json(.array(Self.modelFolderNames.map(ComfyJSON.string)))
    }

    /// `GET /models/{folder}`: the folder's files, 404 for an unknown folder.
    func models(in folder: String) async throws -> Response {
        guard Self.modelFolderNames.contains(folder) else { return ComfyUIResponses.empty(.notFound) }
        let folders = folders
        let files = try await NIOThreadPool.singleton.runIfActive { folders.modelFiles(folder) }
        return ComfyUIResponses.json(.array(files.map(ComfyJSON.string)))
    }

    var serverFeatures: ComfyJSON {
        ["supports_preview_metadata": true, "max_upload_size": .int(configuration.maxUploadBytes)]
    }

    /// `GET /features`.
    func features() -> Response { ComfyUIResponses.json(serverFeatures) }
}
