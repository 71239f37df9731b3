import Foundation
import Images
import NIOPosix

/// Runs one emulated node: the model-free image nodes for real (on a thread pool), the
/// model nodes as stand-ins, and KSampler as the render: `ComfyUIRender`'s transform taking
/// `renderSeconds`, split over its steps, each step reporting progress and honouring
/// interrupts and faults the way ComfyUI's sampler callback does.
struct ComfyUINodeRunner: Sendable {
    let folders: ComfyUIFolders
    let runtime: ComfyUIRuntime
    /// Its costs: render time and spread, model loads and VRAM, output sizes.
    let configuration: ComfyUIEmulatorConfiguration
    let crash: @Sendable () -> Void
    /// The sampler's progress hook: (step, steps).
    let progress: @Sendable (Int, Int) -> Void

    /// Decode limits for LoadImage: ComfyUI has none; these only bound the emulator's memory.
    static let loadLimits: ImageLimits = {
        var limits = ImageLimits()
        limits.maxWidth = ComfyUINodeCatalog.maxResolution
        limits.maxHeight = ComfyUINodeCatalog.maxResolution
        limits.maxPixels = 64 * 1024 * 1024
        return limits
    }()

    func run(
        _ classType: String, promptID: String, links: [String: ComfyUIValue], constants: [String: ComfyJSON]
    ) async throws -> ComfyUINodeResult {
        func images(_ name: String) throws -> [ComfyUIImage] {
            switch links[name] {
            case .images(let images): return images
            case .latent(let images): return images
            default: throw Self.failure("AttributeError", "'NoneType' object has no attribute 'shape'")
            }
        }
        func int(_ name: String) -> Int { Int(clamping: (try? ComfyUIPythonConversions.int(constants[name] ?? 0)) ?? 0) }
        func double(_ name: String) -> Double { (try? ComfyUIPythonConversions.float(constants[name] ?? 0)) ?? 0 }
        func string(_ name: String) -> String { constants[name]?.pythonString ?? "" }
        func map(_ transform: @escaping @Sendable (ComfyUIImage) throws -> ComfyUIImage) async throws -> ComfyUINodeResult {
            let input = try images("image")
            let output = try await Self.offload { try input.map(transform) }
            return ComfyUINodeResult(outputs: [.images(output)])
        }

        switch classType {
        case "CheckpointLoaderSimple":
            let name = string("ckpt_name")
            return ComfyUINodeResult(outputs: [.model(name), .clip(name), .vae(name)])
        case "LoraLoader":
            guard case .model(let model) = links["model"], case .clip(let clip) = links["clip"] else {
                throw Self.failure("AttributeError", "'NoneType' object has no attribute 'clone'")
            }
            return ComfyUINodeResult(outputs: [.model(model), .clip(clip)])
        case "CLIPTextEncode":
            guard case .clip = links["clip"] else {
                throw Self.failure(
                    "RuntimeError",
                    "ERROR: clip input is invalid: None\n\nIf the clip is from a checkpoint loader node your checkpoint does not contain a valid clip or text encoder model."
                )
            }
            return ComfyUINodeResult(outputs: [.conditioning(string("text"))])
        case "VAEEncode":
            let input = try images("pixels")
            let cropped = input.map { image -> ComfyUIImage in
                let width = image.width / 8 * 8
                let height = image.height / 8 * 8
                return ComfyUIImageOps.region(
                    image, left: (image.width % 8) / 2, top: (image.height % 8) / 2, width: width, height: height)
            }
            return ComfyUINodeResult(outputs: [.latent(cropped)])
        case "VAEDecode":
            return ComfyUINodeResult(outputs: [.images(try images("samples"))])
        case "KSampler":
            return try await sample(promptID: promptID, links: links, constants: constants)
        case "LoadImage":
            return try await loadImage(string("image"))
        case "SaveImage", "PreviewImage":
            return try await save(try images("images"), preview: classType == "PreviewImage", prefix: string("filename_prefix"))
        case "EmptyLatentImage":
            // ComfyUI's latent is zeros, which decodes to a flat image: black here, at the
            // latent's pixel size (a multiple of 8).
            let (width, height, count) = (int("width") / 8 * 8, int("height") / 8 * 8, int("batch_size"))
            guard width * height * count <= 128 * 1024 * 1024 else {
                throw Self.failure(
                    "torch.OutOfMemoryError", "CUDA out of memory. Tried to allocate \(width * height * count / 16) bytes.")
            }
            let image = ComfyUIImageOps.solid(width: width, height: height, color: 0)
            return ComfyUINodeResult(outputs: [.latent(Array(repeating: image, count: count))])
        case "EmptyImage":
            let width = int("width")
            let height = int("height")
            let count = int("batch_size")
            guard width * height * count <= 128 * 1024 * 1024 else {
                throw Self.failure(
                    "RuntimeError",
                    "[enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: not enough memory: you tried to allocate \(width * height * count * 4) bytes."
                )
            }
            let image = ComfyUIImageOps.solid(width: width, height: height, color: int("color"))
            return ComfyUINodeResult(outputs: [.images(Array(repeating: image, count: count))])
        case "ImageInvert":
            return try await map(ComfyUIImageOps.invert)
        case "ImageCrop":
            let (width, height, x, y) = (int("width"), int("height"), int("x"), int("y"))
            return try await map { ComfyUIImageOps.crop($0, width: width, height: height, x: x, y: y) }
        case "ImageScale":
            let (method, crop) = (string("upscale_method"), string("crop"))
            let (width, height) = (int("width"), int("height"))
            return try await map { image in
                if width == 0 && height == 0 { return image }
                var (w, h) = (width, height)
                if w == 0 { w = max(1, Int((Double(image.width) * Double(h) / Double(image.height)).rounded(.toNearestOrEven))) }
                if h == 0 { h = max(1, Int((Double(image.height) * Double(w) / Double(image.width)).rounded(.toNearestOrEven))) }
                return try Self.wrap { try ComfyUIImageOps.scale(image, width: w, height: h, method: method, crop: crop) }
            }
        case "ImageScaleBy":
            let (method, factor) = (string("upscale_method"), double("scale_by"))
            return try await map { image in
                let w = Int((Double(image.width) * factor).rounded(.toNearestOrEven))
                let h = Int((Double(image.height) * factor).rounded(.toNearestOrEven))
                return try Self.wrap { try ComfyUIImageOps.scale(image, width: w, height: h, method: method, crop: "disabled") }
            }
        case "ImageBlur":
            let (radius, sigma) = (int("blur_radius"), double("sigma"))
            return try await map { image in try Self.wrap { try ComfyUIImageOps.blur(image, radius: radius, sigma: sigma) } }
        case "ImageSharpen":
            let (radius, sigma, alpha) = (int("sharpen_radius"), double("sigma"), double("alpha"))
            return try await map { image in
                try Self.wrap { try ComfyUIImageOps.sharpen(image, radius: radius, sigma: sigma, alpha: alpha) }
            }
        default:
            throw Self.failure("KeyError", "'\(classType)'")
        }
    }

    /// KSampler: load the model if needed, then one sleep and one progress report per step,
    /// then the render transform.
    private func sample(promptID: String, links: [String: ComfyUIValue], constants: [String: ComfyJSON]) async throws
        -> ComfyUINodeResult
    {
        guard case .model(let checkpoint) = links["model"], case .latent(let latent) = links["latent_image"] else {
            throw Self.failure("AttributeError", "'NoneType' object has no attribute 'load_device'")
        }
        let steps = Int(clamping: (try? ComfyUIPythonConversions.int(constants["steps"] ?? 20)) ?? 20)
        let denoise = (try? ComfyUIPythonConversions.float(constants["denoise"] ?? 1)) ?? 1
        let seed = UInt64(truncatingIfNeeded: (try? ComfyUIPythonConversions.int(constants["seed"] ?? 0)) ?? 0)
        if runtime.load(checkpoint, capacity: configuration.device.modelCapacity), configuration.modelLoadSeconds > 0 {
            let loading = ContinuousClock.now
            try await Task.sleep(for: .seconds(configuration.modelLoadSeconds))
            runtime.loaded(seconds: loading.duration(to: .now))
        }
        let renderSeconds =
            configuration.renderSeconds
            * ComfyUICostDraw(seed: seed).renderFactor(
                sigma: configuration.renderSecondsSpread)
        let samplingSteps = denoise <= 0 ? 0 : steps
        let texts = links.values.compactMap { value -> String? in
            if case .conditioning(let text) = value { return text }
            return nil
        }
        let fault = runtime.strikeRender(texts: texts)
        let faultStep = fault.map { min($0.faults.atStep, max(samplingSteps, 1)) }
        let stepDuration = samplingSteps > 0 ? renderSeconds / Double(samplingSteps) : 0
        let sampling = ContinuousClock.now
        for step in 1...max(samplingSteps, 1) {
            if samplingSteps > 0, stepDuration > 0 { try await Task.sleep(for: .seconds(stepDuration)) }
            if let fault, step == faultStep { try await strike(fault, promptID: promptID) }
            guard samplingSteps > 0 else { break }
            if runtime.isInterrupted { throw ComfyUINodeStop.interrupted }
            progress(step, samplingSteps)
        }
        runtime.rendered(seconds: samplingSteps > 0 ? renderSeconds : 0, busy: sampling.duration(to: .now))
        let rendered = try await Self.offload {
            latent.map { ComfyUIImage(pixels: ComfyUIRender.render($0.pixels, seed: seed, denoise: denoise)) }
        }
        return ComfyUINodeResult(outputs: [.latent(rendered)])
    }

    private func strike(_ strike: ComfyUIRuntime.Strike, promptID: String) async throws {
        guard runtime.isCurrent(strike) else { return }
        let fault = strike.faults
        switch fault.mode {
        case .none: return
        case .crash:
            crash()
            throw ComfyUINodeStop.crashed
        case .hang:
            await runtime.hang(promptID: promptID, strike: strike)
            try Task.checkCancellation()
        case .fail:
            switch fault.failure {
            case .outOfMemory:
                runtime.unloadAllModels()
                throw ComfyUINodeStop.failed(
                    type: "torch.OutOfMemoryError",
                    message:
                        "CUDA out of memory. Tried to allocate 2.50 GiB. GPU 0 has a total capacity of 21.96 GiB of which 1.08 GiB is free. Including non-PyTorch memory, this process has 20.87 GiB memory in use. Of the allocated memory 19.95 GiB is allocated by PyTorch, and 524.35 MiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)\nThis error means you ran out of memory on your GPU.\n\nTIPS: If the workflow worked before you might have accidentally set the batch_size to a large number.",
                    traceback: Self.samplerTraceback)
            case .runtimeError:
                throw ComfyUINodeStop.failed(
                    type: "RuntimeError",
                    message:
                        "CUDA error: an illegal memory access was encountered\nCUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.\nFor debugging consider passing CUDA_LAUNCH_BLOCKING=1\nCompile with `TORCH_USE_CUDA_DSA` to enable device-side assertions.\n\n",
                    traceback: Self.samplerTraceback)
            }
        }
    }

    static let samplerTraceback = [
        "  File \"/ComfyUI/execution.py\", line 510, in execute\n    output_data, output_ui, has_subgraph, has_pending_tasks = await get_output_data(prompt_id, unique_id, obj, input_data_all, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb, hidden_inputs=hidden_inputs)\n",
        "  File \"/ComfyUI/execution.py\", line 324, in get_output_data\n    return_values = await _async_map_node_over_list(prompt_id, unique_id, obj, input_data_all, obj.FUNCTION, allow_interrupt=True, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb, hidden_inputs=hidden_inputs)\n",
        "  File \"/ComfyUI/execution.py\", line 298, in _async_map_node_over_list\n    await process_inputs(input_dict, i)\n",
        "  File \"/ComfyUI/execution.py\", line 286, in process_inputs\n    result = f(**inputs)\n",
        "  File \"/ComfyUI/nodes.py\", line 1525, in sample\n    return common_ksampler(model, seed, steps, cfg, sampler_name, scheduler, positive, negative, latent_image, denoise=denoise)\n",
        "  File \"/ComfyUI/nodes.py\", line 1492, in common_ksampler\n    samples = comfy.sample.sample(model, noise, steps, cfg, sampler_name, scheduler, positive, negative, latent_image,\n",
        "  File \"/ComfyUI/comfy/samplers.py\", line 1114, in sample\n    return cfg_guider.sample(noise, latent_image, sampler, sigmas, denoise_mask, callback, disable_pbar, seed)\n",
    ]

    private func loadImage(_ name: String) async throws -> ComfyUINodeResult {
        guard let path = folders.inputImagePath(name) else {
            throw Self.failure("FileNotFoundError", "[Errno 2] No such file or directory: '\(folders.input)/\(name)'")
        }
        let image = try await Self.offload { () throws -> ComfyUIImage in
            let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            switch ImageFormat.sniff(data) {
            case .png:
                do {
                    return ComfyUIImage(pixels: try PNGCodec.decode(data, limits: Self.loadLimits))
                } catch {
                    throw Self.failure("OSError", "image file is truncated or unreadable (\(error))")
                }
            case .jpeg, .webp:
                // No JPEG/WebP decoder here: a deterministic pattern of the file's own size.
                let validated = try? ImageValidator(limits: Self.loadLimits).validate(data)
                guard let validated else { throw Self.failure("OSError", "image file is truncated") }
                return Self.pattern(width: validated.width, height: validated.height, seed: data.count)
            case nil:
                throw Self.failure("PIL.UnidentifiedImageError", "cannot identify image file '\(path)'")
            }
        }
        return ComfyUINodeResult(outputs: [.images([image]), .mask(width: image.width, height: image.height, count: 1)])
    }

    /// The stand-in pixels of a JPEG or WebP input.
    static func pattern(width: Int, height: Int, seed: Int) -> ComfyUIImage {
        var values = [Float](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let base = (y * width + x) * 3
                values[base] = Float((x * 255) / max(1, width - 1)) / 255.0
                values[base + 1] = Float((y * 255) / max(1, height - 1)) / 255.0
                values[base + 2] = Float(seed % 256) / 255.0
            }
        }
        return ComfyUIImage(width: width, height: height, values: values)
    }

    private func save(_ images: [ComfyUIImage], preview: Bool, prefix rawPrefix: String) async throws -> ComfyUINodeResult {
        let directory = preview ? folders.temp : folders.output
        let prefix =
            preview
            ? "ComfyUI_temp_" + String((0..<5).map { _ in Array("abcdefghijklmnopqrstupvxyz").randomElement()! }) : rawPrefix
        let folders = folders
        let outputBytes = preview ? nil : configuration.outputBytes
        let results = try await Self.offload { () throws -> [ComfyJSON] in
            let first = images.first
            let path: ComfyUIFolders.SavePath
            do {
                path = try folders.saveImagePath(
                    prefix: prefix, directory: directory, width: first?.width ?? 0, height: first?.height ?? 0)
            } catch let error as ComfyUIFolders.OutsideOutputFolder {
                throw Self.failure("Exception", error.message)
            }
            var counter = path.counter
            var results: [ComfyJSON] = []
            for (batch, image) in images.enumerated() {
                let name = path.filename.replacingOccurrences(of: "%batch_num%", with: String(batch))
                let file = "\(name)_\(String(format: "%05d", counter))_.png"
                var bytes = try PNGCodec.encode(image.pixels)
                if let outputBytes {
                    bytes = PNGPadding.padded(bytes, toBytes: ComfyUICostDraw(bytes: bytes).size(in: outputBytes))
                }
                try Data(bytes).write(to: URL(fileURLWithPath: path.folder + "/" + file))
                results.append(
                    ["filename": .string(file), "subfolder": .string(path.subfolder), "type": preview ? "temp" : "output"])
                counter += 1
            }
            return results
        }
        return ComfyUINodeResult(outputs: [], ui: ["images": .array(results)])
    }

    static func failure(_ type: String, _ message: String) -> ComfyUINodeStop {
        .failed(
            type: type, message: message,
            traceback: [
                "  File \"/ComfyUI/execution.py\", line 510, in execute\n    output_data, output_ui, has_subgraph, has_pending_tasks = await get_output_data(prompt_id, unique_id, obj, input_data_all, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb, hidden_inputs=hidden_inputs)\n"
            ])
    }

    private static func wrap<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ComfyUIImageOps.NodeFailure {
            throw failure(error.type, error.message)
        }
    }

    /// Pixel and file work off the cooperative pool.
    static func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }
}
