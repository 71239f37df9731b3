@testable import Emulators
import Foundation
import Testing

@Suite("ComfyUI emulator: JSON and prompt validation")
struct ComfyUIValidationTests {
    static let validator: ComfyUIPromptValidator = {
        let definitions = ComfyUINodeCatalog.definitions(
            checkpoints: ["a.safetensors", "b.safetensors"], loras: [], inputImages: ["room.png"])
        return ComfyUIPromptValidator(
            definitions: Dictionary(uniqueKeysWithValues: definitions.map { ($0.name, $0) }),
            inputImageExists: { $0 == "room.png" })
    }()

    static func validate(_ prompt: ComfyJSON) -> ComfyUIPromptValidator.Result {
        validator.validate(prompt.objectValue!)
    }

    static var prompt: ComfyJSON {
        ComfyUIPrompts.dreamWeaver(image: "room.png", checkpoint: "a.safetensors")
    }

    @Test("JSON is written like Python's json.dumps, keeps key order and big integers")
    func pythonJSON() throws {
        let text = #"{"z": 1, "a": [18446744073709551615, -2, 1.5, 8.0, 1e-05], "s": "é\n\"", "n": null, "t": true}"#
        let value = try ComfyJSON.parse(text)
        #expect(value["a"]?.arrayValue?[0] == .int(Int128(UInt64.max)))
        #expect(value.serialized == #"{"z": 1, "a": [18446744073709551615, -2, 1.5, 8.0, 1e-05], "s": "\u00e9\n\"", "n": null, "t": true}"#)
        for bad in ["{bad", "[1,]", "{\"a\" 1}", "01", ""] {
            #expect(throws: ComfyJSON.ParseError.self) { try ComfyJSON.parse(bad) }
        }
    }

    @Test("a valid prompt passes, with widget values converted as ComfyUI converts them")
    func valid() {
        var prompt = Self.prompt.objectValue!
        var sampler = prompt["3"]!.objectValue!
        var inputs = sampler["inputs"]!.objectValue!
        inputs["steps"] = "12"
        inputs["cfg"] = 7
        sampler["inputs"] = .object(inputs)
        prompt["3"] = .object(sampler)
        let result = Self.validator.validate(prompt)
        #expect(result.isValid && result.error == nil && result.nodeErrors.isEmpty)
        #expect(result.outputs == ["9"])
        #expect(result.prompt["3"]?["inputs"]?["steps"] == 12)
        #expect(result.prompt["3"]?["inputs"]?["cfg"] == 7.0)
    }

    @Test("an unknown class_type is invalid_prompt with ComfyUI's message")
    func unknownNode() {
        var prompt = Self.prompt.objectValue!
        prompt["5"] = ["class_type": "DWPreprocessor", "inputs": [:]]
        let result = Self.validator.validate(prompt)
        #expect(!result.isValid)
        #expect(
            result.error == [
                "type": "invalid_prompt", "message": "Cannot execute because node DWPreprocessor does not exist.",
                "details": "Node ID '#5'", "extra_info": [:],
            ])
        #expect(result.nodeErrors.isEmpty)
    }

    @Test("a node without class_type, and a prompt without outputs")
    func missingClassAndNoOutputs() {
        let missing = Self.validate(["1": ["inputs": [:]]])
        #expect(missing.error?["message"] == "Cannot execute because a node is missing the class_type property.")
        let none = Self.validate(["1": ["class_type": "EmptyImage", "inputs": [:]]])
        #expect(
            none.error == ["type": "prompt_no_outputs", "message": "Prompt has no outputs", "details": "", "extra_info": [:]])
    }

    @Test("failed validation lists each node's errors with the real types, texts and dependent outputs")
    func nodeErrors() throws {
        var prompt = Self.prompt.objectValue!
        prompt["4"] = ["class_type": "CheckpointLoaderSimple", "inputs": ["ckpt_name": "missing.safetensors"]]
        prompt["3"] = [
            "class_type": "KSampler",
            "inputs": [
                "seed": -1, "steps": 20, "cfg": "abc", "sampler_name": "euler", "scheduler": "normal", "denoise": 1.5,
                "model": ["4", 0], "positive": ["6", 0], "negative": ["7"], "latent_image": ["11", 0],
            ],
        ]
        prompt["8"] = ["class_type": "VAEDecode", "inputs": ["samples": ["3", 0]]]
        let result = Self.validator.validate(prompt)
        #expect(!result.isValid)
        #expect(result.error?["type"] == "prompt_outputs_failed_validation")
        #expect(result.error?["message"] == "Prompt outputs failed validation")
        let checkpoint = try #require(result.nodeErrors["4"])
        #expect(checkpoint["class_type"] == "CheckpointLoaderSimple")
        #expect(checkpoint["dependent_outputs"] == ["9"])
        #expect(
            checkpoint["errors"] == [
                [
                    "type": "value_not_in_list", "message": "Value not in list",
                    "details": "ckpt_name: 'missing.safetensors' not in ['a.safetensors', 'b.safetensors']",
                    "extra_info": [
                        "input_name": "ckpt_name",
                        "input_config": [
                            ["a.safetensors", "b.safetensors"], ["tooltip": "The name of the checkpoint (model) to load."],
                        ],
                        "received_value": "missing.safetensors",
                    ],
                ]
            ])
        let sampler = try #require(result.nodeErrors["3"]?["errors"]?.arrayValue)
        #expect(sampler.map { $0["type"] } == ["value_smaller_than_min", "invalid_input_type", "bad_linked_input", "value_bigger_than_max"])
        #expect(sampler[0]["message"] == "Value -1 smaller than min of 0" && sampler[0]["details"] == "seed")
        #expect(sampler[1]["message"] == "Failed to convert an input value to a FLOAT value")
        #expect(sampler[1]["details"] == "cfg, abc, could not convert string to float: 'abc'")
        #expect(sampler[2]["message"] == "Bad linked input, must be a length-2 list of [node_id, slot_index]")
        #expect(sampler[3]["message"] == "Value 1.5 bigger than max of 1.0")
        let decode = try #require(result.nodeErrors["8"]?["errors"]?.arrayValue)
        #expect(
            decode == [
                [
                    "type": "required_input_missing", "message": "Required input is missing", "details": "vae",
                    "extra_info": ["input_name": "vae"],
                ]
            ])
    }

    @Test("a seed past 2^64-1, a wrong link type and a missing input image")
    func moreErrors() throws {
        var prompt = Self.prompt.objectValue!
        prompt["10"] = ["class_type": "LoadImage", "inputs": ["image": "gone.png"]]
        prompt["11"] = ["class_type": "VAEEncode", "inputs": ["pixels": ["10", 0], "vae": ["4", 1]]]
        var sampler = prompt["3"]!.objectValue!
        var inputs = sampler["inputs"]!.objectValue!
        inputs["seed"] = .int(Int128(UInt64.max) + 1)
        sampler["inputs"] = .object(inputs)
        prompt["3"] = .object(sampler)
        let result = Self.validator.validate(prompt)
        #expect(result.nodeErrors["3"]?["errors"]?.arrayValue?.first?["type"] == "value_bigger_than_max")
        let encode = try #require(result.nodeErrors["11"]?["errors"]?.arrayValue?.first)
        #expect(encode["type"] == "return_type_mismatch")
        #expect(encode["details"] == "vae, received_type(CLIP) mismatch input_type(VAE)")
        let load = try #require(result.nodeErrors["10"]?["errors"]?.arrayValue?.first)
        #expect(load["type"] == "custom_validation_failed" && load["details"] == "image - Invalid image file: gone.png")
    }

    @Test("a link to a missing node is exception_during_validation, as ComfyUI's KeyError")
    func missingLinkedNode() throws {
        let result = Self.validate([
            "1": ["class_type": "SaveImage", "inputs": ["images": ["99", 0], "filename_prefix": "x"]]
        ])
        let error = try #require(result.nodeErrors["1"]?["errors"]?.arrayValue?.first)
        #expect(error["type"] == "exception_during_validation")
        #expect(error["details"] == "'99'")
        #expect(error["extra_info"]?["exception_type"] == "KeyError")
    }

    @Test("with one good and one bad output the prompt is valid and still reports node_errors")
    func partialOutputs() {
        var prompt = Self.prompt.objectValue!
        prompt["20"] = ["class_type": "SaveImage", "inputs": ["images": ["10", 0]]]
        let result = Self.validator.validate(prompt)
        #expect(result.isValid)
        #expect(result.outputs == ["9"])
        #expect(result.nodeErrors["20"]?["dependent_outputs"] == ["20"])
        #expect(result.nodeErrors["20"]?["errors"]?.arrayValue?.first?["type"] == "required_input_missing")
    }

    @Test("extra_model_paths.yaml folders resolve like ComfyUI's loader")
    func extraModelPaths() throws {
        let yaml = """
            # ComfyUI models on the shared disk
            comfyui:
                base_path: models/   # relative to the file
                is_default: true
                checkpoints: checkpoints
                loras: |
                    loras
                    /mnt/extra/loras
            other:
                checkpoints: /abs/ckpts
            empty:
            """
        let paths = try ComfyUIExtraModelPaths(yaml: yaml, directory: "/srv/comfy")
        #expect(paths.folders["checkpoints"] == ["/srv/comfy/models/checkpoints", "/abs/ckpts"])
        #expect(paths.folders["loras"] == ["/srv/comfy/models/loras", "/mnt/extra/loras"])
        #expect(paths.folders["is_default"] == nil)
        #expect(throws: ComfyUIExtraModelPaths.ParseError.self) {
            try ComfyUIExtraModelPaths(yaml: "comfyui: oops\n", directory: "/")
        }
    }
}
