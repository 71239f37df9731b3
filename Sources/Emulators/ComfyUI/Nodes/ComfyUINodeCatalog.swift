/// The node types the emulator runs, declared with ComfyUI's own input names, types, limits,
/// categories and display names (nodes.py, comfy_extras), so validation and `/object_info`
/// answer as the real server does.
enum ComfyUINodeCatalog {
    /// nodes.py's `MAX_RESOLUTION`.
    static let maxResolution = 16_384
    /// KSampler's seed range: 0 … 2⁶⁴−1.
    static let maxSeed = Int128(UInt64.max)

    /// comfy/samplers.py `KSampler.SAMPLERS`.
    static let samplers = [
        "euler", "euler_cfg_pp", "euler_ancestral", "euler_ancestral_cfg_pp", "heun", "heunpp2", "exp_heun_2_x0",
        "exp_heun_2_x0_sde", "dpm_2", "dpm_2_ancestral", "lms", "dpm_fast", "dpm_adaptive", "dpmpp_2s_ancestral",
        "dpmpp_2s_ancestral_cfg_pp", "dpmpp_sde", "dpmpp_sde_gpu", "dpmpp_2m", "dpmpp_2m_cfg_pp", "dpmpp_2m_sde",
        "dpmpp_2m_sde_gpu", "dpmpp_2m_sde_heun", "dpmpp_2m_sde_heun_gpu", "dpmpp_3m_sde", "dpmpp_3m_sde_gpu", "ddpm",
        "lcm", "ipndm", "ipndm_v", "deis", "res_multistep", "res_multistep_cfg_pp", "res_multistep_ancestral",
        "res_multistep_ancestral_cfg_pp", "gradient_estimation", "gradient_estimation_cfg_pp", "er_sde", "seeds_2",
        "seeds_3", "sa_solver", "sa_solver_pece", "ddim", "uni_pc", "uni_pc_bh2",
    ]
    /// comfy/samplers.py `KSampler.SCHEDULERS`.
    static let schedulers = [
        "simple", "sgm_uniform", "karras", "exponential", "ddim_uniform", "beta", "normal", "linear_quadratic",
        "kl_optimal",
    ]
    static let upscaleMethods = ["nearest-exact", "bilinear", "area", "bicubic", "lanczos"]
    static let cropMethods = ["disabled", "center"]

    /// Every supported node type, in `/object_info` order. Combo choices come from the model
    /// folders and the input directory as they are now.
    static func definitions(checkpoints: [String], loras: [String], inputImages: [String]) -> [ComfyUINodeDefinition] {
        typealias Input = ComfyUINodeDefinition.Input
        let resolution: (Int, Int) -> ComfyJSON.Object = { value, minimum in
            ["default": .int(value), "min": .int(minimum), "max": .int(maxResolution), "step": 1]
        }
        return [
            ComfyUINodeDefinition(
                name: "KSampler", displayName: "KSampler", category: "sampling",
                description: "Uses the provided model, positive and negative conditioning to denoise the latent image.",
                required: [
                    Input("model", "MODEL", ["tooltip": "The model used for denoising the input latent."]),
                    Input(
                        "seed", "INT",
                        [
                            "default": 0, "min": 0, "max": .int(maxSeed), "control_after_generate": true,
                            "tooltip": "The random seed used for creating the noise.",
                        ]),
                    Input(
                        "steps", "INT",
                        ["default": 20, "min": 1, "max": 10000, "tooltip": "The number of steps used in the denoising process."]),
                    Input(
                        "cfg", "FLOAT",
                        [
                            "default": 8.0, "min": 0.0, "max": 100.0, "step": 0.1, "round": 0.01,
                            "tooltip":
                                "The Classifier-Free Guidance scale balances creativity and adherence to the prompt. Higher values result in images more closely matching the prompt however too high values will negatively impact quality.",
                        ]),
                    .combo(
                        "sampler_name", samplers,
                        ["tooltip": "The algorithm used when sampling, this can affect the quality, speed, and style of the generated output."]),
                    .combo(
                        "scheduler", schedulers,
                        ["tooltip": "The scheduler controls how noise is gradually removed to form the image."]),
                    Input(
                        "positive", "CONDITIONING",
                        ["tooltip": "The conditioning describing the attributes you want to include in the image."]),
                    Input(
                        "negative", "CONDITIONING",
                        ["tooltip": "The conditioning describing the attributes you want to exclude from the image."]),
                    Input("latent_image", "LATENT", ["tooltip": "The latent image to denoise."]),
                    Input(
                        "denoise", "FLOAT",
                        [
                            "default": 1.0, "min": 0.0, "max": 1.0, "step": 0.01,
                            "tooltip":
                                "The amount of denoising applied, lower values will maintain the structure of the initial image allowing for image to image sampling.",
                        ]),
                ],
                outputs: ["LATENT"], outputTooltips: ["The denoised latent."]),
            ComfyUINodeDefinition(
                name: "CheckpointLoaderSimple", displayName: "Load Checkpoint", category: "loaders",
                description: "Loads a diffusion model checkpoint, diffusion models are used to denoise latents.",
                required: [.combo("ckpt_name", checkpoints, ["tooltip": "The name of the checkpoint (model) to load."])],
                outputs: ["MODEL", "CLIP", "VAE"],
                outputTooltips: [
                    "The model used for denoising latents.", "The CLIP model used for encoding text prompts.",
                    "The VAE model used for encoding and decoding images to and from latent space.",
                ]),
            ComfyUINodeDefinition(
                name: "LoraLoader", displayName: "Load LoRA", category: "loaders",
                description:
                    "LoRAs are used to modify diffusion and CLIP models, altering the way in which latents are denoised such as applying styles. Multiple LoRA nodes can be linked together.",
                required: [
                    Input("model", "MODEL", ["tooltip": "The diffusion model the LoRA will be applied to."]),
                    Input("clip", "CLIP", ["tooltip": "The CLIP model the LoRA will be applied to."]),
                    .combo("lora_name", loras, ["tooltip": "The name of the LoRA."]),
                    Input(
                        "strength_model", "FLOAT",
                        [
                            "default": 1.0, "min": -100.0, "max": 100.0, "step": 0.01,
                            "tooltip": "How strongly to modify the diffusion model. This value can be negative.",
                        ]),
                    Input(
                        "strength_clip", "FLOAT",
                        [
                            "default": 1.0, "min": -100.0, "max": 100.0, "step": 0.01,
                            "tooltip": "How strongly to modify the CLIP model. This value can be negative.",
                        ]),
                ],
                outputs: ["MODEL", "CLIP"], outputTooltips: ["The modified diffusion model.", "The modified CLIP model."]),
            ComfyUINodeDefinition(
                name: "CLIPTextEncode", displayName: "CLIP Text Encode (Prompt)", category: "conditioning",
                description:
                    "Encodes a text prompt using a CLIP model into an embedding that can be used to guide the diffusion model towards generating specific images.",
                required: [
                    Input("text", "STRING", ["multiline": true, "dynamicPrompts": true, "tooltip": "The text to be encoded."]),
                    Input("clip", "CLIP", ["tooltip": "The CLIP model used for encoding the text."]),
                ],
                outputs: ["CONDITIONING"],
                outputTooltips: ["A conditioning containing the embedded text used to guide the diffusion model."]),
            ComfyUINodeDefinition(
                name: "VAEDecode", displayName: "VAE Decode", category: "latent",
                description: "Decodes latent images back into pixel space images.",
                required: [
                    Input("samples", "LATENT", ["tooltip": "The latent to be decoded."]),
                    Input("vae", "VAE", ["tooltip": "The VAE model used for decoding the latent."]),
                ],
                outputs: ["IMAGE"], outputTooltips: ["The decoded image."]),
            ComfyUINodeDefinition(
                name: "VAEEncode", displayName: "VAE Encode", category: "latent",
                required: [Input("pixels", "IMAGE"), Input("vae", "VAE")], outputs: ["LATENT"]),
            ComfyUINodeDefinition(
                name: "EmptyLatentImage", displayName: "Empty Latent Image", category: "latent",
                description: "Create a new batch of empty latent images to be denoised via sampling.",
                required: [
                    Input(
                        "width", "INT",
                        [
                            "default": 512, "min": 16, "max": .int(maxResolution), "step": 8,
                            "tooltip": "The width of the latent images in pixels.",
                        ]),
                    Input(
                        "height", "INT",
                        [
                            "default": 512, "min": 16, "max": .int(maxResolution), "step": 8,
                            "tooltip": "The height of the latent images in pixels.",
                        ]),
                    Input(
                        "batch_size", "INT",
                        ["default": 1, "min": 1, "max": 4096, "tooltip": "The number of latent images in the batch."]),
                ],
                outputs: ["LATENT"], outputTooltips: ["The empty latent image batch."]),
            ComfyUINodeDefinition(
                name: "SaveImage", displayName: "Save Image", category: "image",
                description: "Saves the input images to your ComfyUI output directory.",
                required: [
                    Input("images", "IMAGE", ["tooltip": "The images to save."]),
                    Input(
                        "filename_prefix", "STRING",
                        [
                            "default": "ComfyUI",
                            "tooltip":
                                "The prefix for the file to save. This may include formatting information such as %date:yyyy-MM-dd% or %Empty Latent Image.width% to include values from nodes.",
                        ]),
                ],
                hidden: [("prompt", "PROMPT"), ("extra_pnginfo", "EXTRA_PNGINFO")], outputs: [], isOutputNode: true),
            ComfyUINodeDefinition(
                name: "PreviewImage", displayName: "Preview Image", category: "image",
                description: "Saves the input images to your ComfyUI output directory.",
                required: [Input("images", "IMAGE")],
                hidden: [("prompt", "PROMPT"), ("extra_pnginfo", "EXTRA_PNGINFO")], outputs: [], isOutputNode: true),
            ComfyUINodeDefinition(
                name: "LoadImage", displayName: "Load Image", category: "image",
                required: [.combo("image", inputImages, ["image_upload": true])],
                outputs: ["IMAGE", "MASK"], customValidatedInputs: ["image"]),
            ComfyUINodeDefinition(
                name: "ImageScale", displayName: "Upscale Image", category: "image/upscaling",
                required: [
                    Input("image", "IMAGE"), .combo("upscale_method", upscaleMethods),
                    Input("width", "INT", resolution(512, 0)), Input("height", "INT", resolution(512, 0)),
                    .combo("crop", cropMethods),
                ],
                outputs: ["IMAGE"]),
            ComfyUINodeDefinition(
                name: "ImageScaleBy", displayName: "Upscale Image By", category: "image/upscaling",
                required: [
                    Input("image", "IMAGE"), .combo("upscale_method", upscaleMethods),
                    Input("scale_by", "FLOAT", ["default": 1.0, "min": 0.01, "max": 8.0, "step": 0.01]),
                ],
                outputs: ["IMAGE"]),
            ComfyUINodeDefinition(
                name: "ImageInvert", displayName: "Invert Image", category: "image", required: [Input("image", "IMAGE")],
                outputs: ["IMAGE"]),
            ComfyUINodeDefinition(
                name: "EmptyImage", displayName: "EmptyImage", category: "image",
                required: [
                    Input("width", "INT", resolution(512, 1)), Input("height", "INT", resolution(512, 1)),
                    Input("batch_size", "INT", ["default": 1, "min": 1, "max": 4096]),
                    Input("color", "INT", ["default": 0, "min": 0, "max": 0xFFFFFF, "step": 1, "display": "color"]),
                ],
                outputs: ["IMAGE"]),
            ComfyUINodeDefinition(
                name: "ImageBlur", displayName: "Image Blur", category: "image/postprocessing",
                pythonModule: "comfy_extras.nodes_post_processing",
                required: [
                    Input("image", "IMAGE"),
                    Input("blur_radius", "INT", ["default": 1, "min": 1, "max": 31, "step": 1]),
                    Input("sigma", "FLOAT", ["default": 1.0, "min": 0.1, "max": 10.0, "step": 0.1]),
                ],
                outputs: ["IMAGE"]),
            ComfyUINodeDefinition(
                name: "ImageSharpen", displayName: "Image Sharpen", category: "image/postprocessing",
                pythonModule: "comfy_extras.nodes_post_processing",
                required: [
                    Input("image", "IMAGE"),
                    Input("sharpen_radius", "INT", ["default": 1, "min": 1, "max": 31, "step": 1]),
                    Input("sigma", "FLOAT", ["default": 1.0, "min": 0.1, "max": 10.0, "step": 0.01]),
                    Input("alpha", "FLOAT", ["default": 1.0, "min": 0.0, "max": 5.0, "step": 0.01]),
                ],
                outputs: ["IMAGE"]),
            ComfyUINodeDefinition(
                name: "ImageCrop", displayName: "Image Crop", category: "image/transform",
                pythonModule: "comfy_extras.nodes_images",
                required: [
                    Input("image", "IMAGE"), Input("width", "INT", resolution(512, 1)),
                    Input("height", "INT", resolution(512, 1)),
                    Input("x", "INT", ["default": 0, "min": 0, "max": .int(maxResolution), "step": 1]),
                    Input("y", "INT", ["default": 0, "min": 0, "max": .int(maxResolution), "step": 1]),
                ],
                outputs: ["IMAGE"]),
        ]
    }
}
