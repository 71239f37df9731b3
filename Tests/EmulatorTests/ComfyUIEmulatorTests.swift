import CurlClient
import Emulators
import Foundation
import Images
import TestSupport
import Testing

@Suite("ComfyUI emulator: HTTP API and websocket")
struct ComfyUIEmulatorTests {
    @Test("a prompt produces ComfyUI's websocket sequence, in order, and its history entry")
    func messageSequence() async throws {
        try await ComfyUIFixture.run { fixture in
            _ = try await fixture.upload(try TestImages.png(width: 24, height: 16), name: "room.png")
            try await SocketRecorder.with(fixture, clientID: "c1") { socket in
                let id = UUID().uuidString.lowercased()
                let response = try await fixture.queue(
                    ComfyUIPrompts.dreamWeaver(image: "room.png", steps: 2), id: id, clientID: "c1")
                #expect(response.status == 200)
                #expect(try fixture.json(response) == ["prompt_id": .string(id), "number": 0, "node_errors": [:]])
                let entry = try await fixture.waitForHistory(id)
                try await eventually("the final executing") {
                    socket.messages.contains { $0["type"] == "executing" && $0["data"]?["node"] == .null }
                }
                let sequence = socket.messages.map { message -> String in
                    let type = message["type"]?.stringValue ?? "?"
                    let data = message["data"] ?? .null
                    switch type {
                    case "status": return "status(\(data["status"]?["exec_info"]?["queue_remaining"]?.pythonString ?? "?"))"
                    case "executing", "executed": return "\(type)(\(data["node"]?.pythonString ?? "?"))"
                    case "progress": return "progress(\(data["value"]?.pythonString ?? "?")/\(data["max"]?.pythonString ?? "?"))"
                    case "progress_state":
                        let nodes = data["nodes"]?.objectValue
                        let last = nodes?.keys.last ?? "?"
                        return "state(\(last):\(nodes?[last]?["state"]?.stringValue ?? "?"))"
                    default: return type
                    }
                }
                let node = { (id: String) in ["state(\(id):running)", "executing(\(id))", "state(\(id):finished)"] }
                let expected =
                    ["status(0)", "status(1)", "status(1)", "execution_start", "execution_cached"]
                    + node("4") + node("10") + node("11") + node("7") + node("6")
                    + [
                        "state(3:running)", "executing(3)", "state(3:running)", "progress(1/2)", "state(3:running)",
                        "progress(2/2)", "state(3:finished)",
                    ]
                    + node("8") + ["state(9:running)", "executing(9)", "executed(9)", "state(9:finished)"]
                    + ["execution_success", "status(0)", "executing(None)"]
                #expect(sequence == expected)
                let greeting = try #require(socket.messages.first?["data"])
                #expect(greeting == ["status": ["exec_info": ["queue_remaining": 0]], "sid": "c1"])
                let executed = try #require(socket.messages.first { $0["type"] == "executed" }?["data"])
                #expect(executed["display_node"] == "9" && executed["prompt_id"] == .string(id))
                #expect(executed["output"] == ["images": [["filename": "job_00001_.png", "subfolder": "dw", "type": "output"]]])
                let progress = try #require(socket.messages.first { $0["type"] == "progress" }?["data"])
                #expect(progress == ["value": 1, "max": 2, "prompt_id": .string(id), "node": "3"])

                // The history entry: the queued tuple, outputs, status with its messages, meta.
                let prompt = try #require(entry["prompt"]?.arrayValue)
                #expect(prompt.count == 5 && prompt[0] == 0 && prompt[1] == .string(id) && prompt[4] == ["9"])
                #expect(prompt[3]["client_id"] == "c1" && prompt[3]["create_time"] != nil)
                #expect(entry["outputs"] == ["9": executed["output"]!])
                #expect(entry["status"]?["status_str"] == "success" && entry["status"]?["completed"] == true)
                let events = entry["status"]?["messages"]?.arrayValue?.map { $0.arrayValue?.first }
                #expect(events == ["execution_start", "execution_cached", "execution_success"])
                #expect(entry["meta"] == ["9": ["node_id": "9", "display_node": "9", "parent_node": nil, "real_node_id": "9"]])
            }
        }
    }

    @Test("history answers {} while a prompt waits, then its entry; GET /queue shows it pending")
    func historyBeforeDone() async throws {
        try await ComfyUIFixture.run { fixture in
            _ = try await fixture.upload(try TestImages.png(width: 8, height: 8), name: "a.png")
            // A hung render holds the queue, so the second prompt provably waits.
            _ = try await fixture.post("/emulator/faults", json: ["mode": "hang"])
            let first = UUID().uuidString.lowercased()
            let second = UUID().uuidString.lowercased()
            _ = try await fixture.queue(ComfyUIPrompts.dreamWeaver(image: "a.png", prefix: "one"), id: first)
            _ = try await fixture.queue(ComfyUIPrompts.dreamWeaver(image: "a.png", seed: 7, prefix: "two"), id: second)
            #expect(try fixture.json(try await fixture.get("/history/\(second)")) == [:])
            let queue = try fixture.json(try await fixture.get("/api/queue"))
            #expect(queue["queue_running"]?.arrayValue?.map { $0.arrayValue?[1] } == [.string(first)])
            #expect(queue["queue_pending"]?.arrayValue?.map { $0.arrayValue?[1] } == [.string(second)])
            #expect(try fixture.json(try await fixture.get("/prompt")) == ["exec_info": ["queue_remaining": 2]])
            _ = try await fixture.http.execute(HTTPClientRequest(method: "DELETE", url: fixture.base + "/emulator/faults"))
            let entry = try await fixture.waitForHistory(second)
            #expect(entry["status"]?["status_str"] == "success")
            _ = try await fixture.waitForHistory(first)
            #expect(try fixture.json(try await fixture.get("/history?max_items=1")).objectValue?.keys == [second])
            _ = try await fixture.post("/history", json: ["delete": [.string(first)]])
            #expect(try fixture.json(try await fixture.get("/history/\(first)")) == [:])
        }
    }

    @Test("a duplicate prompt_id is 409; a non-canonical one is 400 invalid_prompt_id")
    func promptIDs() async throws {
        try await ComfyUIFixture.run { fixture in
            _ = try await fixture.upload(try TestImages.png(width: 8, height: 8), name: "a.png")
            let id = UUID().uuidString.lowercased()
            #expect(try await fixture.queue(ComfyUIPrompts.smoke(image: "a.png"), id: id).status == 200)
            let duplicate = try await fixture.queue(ComfyUIPrompts.smoke(image: "a.png"), id: id)
            #expect(duplicate.status == 409)
            #expect(duplicate.headers["Content-Type"] == "application/json; charset=utf-8")
            #expect(try fixture.json(duplicate) == ["error": "prompt_id already exists"])
            let upper = try await fixture.queue(ComfyUIPrompts.smoke(image: "a.png"), id: UUID().uuidString)
            #expect(upper.status == 400)
            #expect(
                try fixture.json(upper) == [
                    "error": [
                        "type": "invalid_prompt_id", "message": "prompt_id must be a valid UUID",
                        "details":
                            "prompt_id must be a UUID string in canonical lowercase hyphenated form; omit it to let the server generate one",
                        "extra_info": [:],
                    ],
                    "node_errors": [:],
                ])
        }
    }

    @Test("each refusal has ComfyUI's status, content type and body")
    func refusals() async throws {
        try await ComfyUIFixture.run { fixture in
            let malformed = try await fixture.post("/prompt", body: "{not json")
            #expect(malformed.status == 500)
            #expect(malformed.headers["Content-Type"] == "text/plain; charset=utf-8")
            #expect(malformed.text == "500 Internal Server Error\n\nServer got itself in trouble")

            let noPrompt = try await fixture.post("/api/prompt", json: ["client_id": "x"])
            #expect(noPrompt.status == 400)
            #expect(
                try fixture.json(noPrompt) == [
                    "error": [
                        "type": "no_prompt", "message": "No prompt provided", "details": "No prompt provided", "extra_info": [:],
                    ],
                    "node_errors": [:],
                ])

            let unknown = try await fixture.queue(["1": ["class_type": "Nope", "inputs": [:]]])
            #expect(unknown.status == 400)
            #expect(
                try fixture.json(unknown) == [
                    "error": [
                        "type": "invalid_prompt", "message": "Cannot execute because node Nope does not exist.",
                        "details": "Node ID '#1'", "extra_info": [:],
                    ],
                    "node_errors": [:],
                ])

            let noOutputs = try await fixture.queue(["1": ["class_type": "EmptyImage", "inputs": [:]]])
            #expect(try fixture.json(noOutputs)["error"]?["type"] == "prompt_no_outputs")

            var bad = ComfyUIPrompts.dreamWeaver(image: "missing.png", steps: 0, checkpoint: "nope.safetensors").objectValue!
            var sampler = bad["3"]!.objectValue!
            var inputs = sampler["inputs"]!.objectValue!
            inputs["positive"] = ["6"]
            sampler["inputs"] = .object(inputs)
            bad["3"] = .object(sampler)
            let failed = try await fixture.queue(.object(bad))
            #expect(failed.status == 400)
            let body = try fixture.json(failed)
            #expect(body["error"]?["type"] == "prompt_outputs_failed_validation")
            let types = body["node_errors"]?.objectValue?.entries.flatMap { entry in
                (entry.value["errors"]?.arrayValue ?? []).compactMap { $0["type"]?.stringValue }.map { "\(entry.key):\($0)" }
            }
            #expect(
                Set(types ?? []) == [
                    "3:bad_linked_input", "4:value_not_in_list", "3:value_smaller_than_min", "10:custom_validation_failed",
                ])
            #expect(body["node_errors"]?["4"]?["dependent_outputs"] == ["9"])
        }
    }

    @Test("a 200 can carry node_errors: the bad output is dropped, the good one runs")
    func nodeErrorsOnSuccess() async throws {
        try await ComfyUIFixture.run { fixture in
            _ = try await fixture.upload(try TestImages.png(width: 8, height: 8), name: "a.png")
            var prompt = ComfyUIPrompts.smoke(image: "a.png").objectValue!
            prompt["4"] = ["class_type": "PreviewImage", "inputs": [:]]
            let response = try await fixture.queue(.object(prompt))
            #expect(response.status == 200)
            let body = try fixture.json(response)
            let id = try #require(body["prompt_id"]?.stringValue)
            #expect(
                body["node_errors"] == [
                    "4": [
                        "errors": [
                            [
                                "type": "required_input_missing", "message": "Required input is missing", "details": "images",
                                "extra_info": ["input_name": "images"],
                            ]
                        ],
                        "dependent_outputs": ["4"], "class_type": "PreviewImage",
                    ]
                ])
            let entry = try await fixture.waitForHistory(id)
            #expect(entry["prompt"]?.arrayValue?[4] == ["3"])
            #expect(entry["outputs"]?.objectValue?.keys == ["3"])
        }
    }

    @Test("interrupting a render ends it with execution_interrupted and an error history entry")
    func interrupt() async throws {
        try await ComfyUIFixture.run({ $0.renderSeconds = 30 }) { fixture in
            _ = try await fixture.upload(try TestImages.png(width: 8, height: 8), name: "a.png")
            try await SocketRecorder.with(fixture, clientID: "c2") { socket in
                let id = UUID().uuidString.lowercased()
                _ = try await fixture.queue(ComfyUIPrompts.dreamWeaver(image: "a.png", steps: 300), id: id, clientID: "c2")
                try await eventually("the render's first step") { socket.types.contains("progress") }
                // Not the running prompt: ignored.
                _ = try await fixture.post("/interrupt", json: ["prompt_id": .string(UUID().uuidString.lowercased())])
                let response = try await fixture.post("/interrupt", json: ["prompt_id": .string(id)])
                #expect(response.status == 200 && response.body.isEmpty)
                let entry = try await fixture.waitForHistory(id)
                #expect(entry["status"]?["status_str"] == "error" && entry["status"]?["completed"] == false)
                let last = try #require(entry["status"]?["messages"]?.arrayValue?.last?.arrayValue)
                #expect(last[0] == "execution_interrupted")
                #expect(last[1]["node_id"] == "3" && last[1]["node_type"] == "KSampler")
                #expect(last[1]["executed"] == ["4", "10", "11", "7", "6"])
                #expect(Set(last[1].objectValue?.keys ?? []) == ["prompt_id", "node_id", "node_type", "executed", "timestamp"])
                #expect(entry["outputs"] == [:])
                try await eventually("the interrupt on the socket") { socket.types.contains("execution_interrupted") }
                #expect(!socket.types.contains("execution_success"))
            }
        }
    }

    @Test("/view returns the documented transform of the uploaded image, and refuses bad paths")
    func viewRender() async throws {
        try await ComfyUIFixture.run { fixture in
            let input = TestImages.gradient(width: 21, height: 13)
            let upload = try await fixture.upload(try PNGCodec.encode(input), name: "room.png")
            #expect(try fixture.json(upload) == ["name": "room.png", "subfolder": "", "type": "input"])
            let seed: UInt64 = 0xAB_CDEF
            let response = try await fixture.queue(
                ComfyUIPrompts.dreamWeaver(image: "room.png", seed: .int(Int128(seed)), denoise: 0.75))
            let entry = try await fixture.waitForHistory(try #require(try fixture.json(response)["prompt_id"]?.stringValue))
            let image = try #require(entry["outputs"]?["9"]?["images"]?.arrayValue?.first)
            #expect(image == ["filename": "job_00001_.png", "subfolder": "dw", "type": "output"])
            let view = try await fixture.get("/view?filename=job_00001_.png&subfolder=dw&type=output")
            #expect(view.status == 200 && view.headers["Content-Type"] == "image/png")
            let output = try PNGCodec.decode(view.body)
            let expected = ComfyUIRender.expectedOutput(for: input, seed: seed, denoise: 0.75)
            #expect(output.width == 16 && output.height == 8)
            #expect(output.bytes == expected.bytes.chunked3WithOpaqueAlpha)

            #expect(try await fixture.get("/view?filename=..%2Fsecret.png").status == 400)
            #expect(try await fixture.get("/view?filename=job_00001_.png&subfolder=../..").status == 403)
            #expect(try await fixture.get("/view?filename=nope.png").status == 404)
            let original = try await fixture.get("/api/view?filename=room.png&type=input")
            #expect(original.body == (try PNGCodec.encode(input)))
        }
    }

    @Test("uploads without overwrite get ComfyUI's ' (n)' names; identical content reuses the name")
    func uploadNames() async throws {
        try await ComfyUIFixture.run { fixture in
            let a = try TestImages.png(width: 8, height: 8)
            let b = try TestImages.png(width: 9, height: 8)
            let c = try TestImages.png(width: 10, height: 8)
            func name(_ response: HTTPClientResponse) throws -> ComfyJSON? { try fixture.json(response)["name"] }
            #expect(try name(try await fixture.upload(a, name: "room.png")) == "room.png")
            #expect(try name(try await fixture.upload(b, name: "room.png")) == "room (1).png")
            #expect(try name(try await fixture.upload(a, name: "room.png")) == "room.png")
            #expect(try name(try await fixture.upload(c, name: "room.png", overwrite: false)) == "room (2).png")
            #expect(try name(try await fixture.upload(c, name: "room.png", overwrite: true)) == "room.png")
            #expect(try await fixture.get("/view?filename=room.png&type=input").body == c)
            let nested = try await fixture.upload(a, name: "room.png", subfolder: "jobs/1")
            #expect(try fixture.json(nested) == ["name": "room.png", "subfolder": "jobs/1", "type": "input"])
            #expect(try await fixture.upload(a, name: "room.png", subfolder: "../escape").status == 400)
            let missing = try await fixture.http.execute(
                .bytes("POST", fixture.base + "/upload/image", [], contentType: "application/json"))
            #expect(missing.status == 400)
        }
    }

    @Test("system_stats, object_info and models have ComfyUI's shapes")
    func info() async throws {
        try await ComfyUIFixture.run({ $0.device.name = "NVIDIA H100 80GB HBM3" }) { fixture in
            let stats = try fixture.json(try await fixture.get("/system_stats"))
            #expect(stats["system"]?["os"] == "linux" && stats["system"]?["comfyui_version"] == "0.8.2")
            let device = try #require(stats["devices"]?.arrayValue?.first)
            #expect(device["name"] == "cuda:0 NVIDIA H100 80GB HBM3 : cudaMallocAsync" && device["type"] == "cuda")
            #expect(
                Set(device.objectValue?.keys ?? []) == [
                    "name", "type", "index", "vram_total", "vram_free", "torch_vram_total", "torch_vram_free",
                ])
            let sampler = try fixture.json(try await fixture.get("/object_info/KSampler"))["KSampler"]
            #expect(
                sampler?["input"]?["required"]?["steps"] == [
                    "INT",
                    ["default": 20, "min": 1, "max": 10000, "tooltip": "The number of steps used in the denoising process."],
                ])
            #expect(sampler?["input"]?["required"]?["seed"]?.arrayValue?[1]["max"] == .int(Int128(UInt64.max)))
            #expect(sampler?["output"] == ["LATENT"] && sampler?["output_node"] == false && sampler?["category"] == "sampling")
            #expect(sampler?["input_order"]?["required"]?.arrayValue?.count == 10)
            let loader = try fixture.json(try await fixture.get("/object_info/CheckpointLoaderSimple"))
            #expect(
                loader["CheckpointLoaderSimple"]?["input"]?["required"]?["ckpt_name"]?.arrayValue?[0] == [
                    .string(ComfyUIFixture.checkpoint)
                ])
            #expect(try fixture.json(try await fixture.get("/object_info/Nope")) == [:])
            let all = try fixture.json(try await fixture.get("/api/object_info")).objectValue?.keys ?? []
            #expect(
                Set(all).isSuperset(of: [
                    "LoadImage", "SaveImage", "PreviewImage", "EmptyImage", "ImageScale", "ImageInvert", "VAEEncode",
                    "LoraLoader",
                ]))
            #expect(try fixture.json(try await fixture.get("/models/checkpoints")) == [.string(ComfyUIFixture.checkpoint)])
            #expect(try await fixture.get("/models/nope").status == 404)
            #expect(try await fixture.post("/free", json: ["unload_models": true, "free_memory": true]).status == 200)
        }
    }

    @Test("checkpoints come from the folders of an extra_model_paths.yaml")
    func modelFolders() async throws {
        let directory = NSTemporaryDirectory() + "models-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/ckpts/sdxl", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: directory + "/ckpts/sdxl/base.safetensors", contents: Data()))
        #expect(FileManager.default.createFile(atPath: directory + "/ckpts/readme.txt", contents: Data()))
        let paths = try ComfyUIExtraModelPaths(yaml: "box:\n  base_path: \(directory)\n  checkpoints: ckpts\n", directory: "/")
        try await ComfyUIFixture.run({
            $0.checkpoints = []
            $0.add(paths)
        }) { fixture in
            let models = try fixture.json(try await fixture.get("/models/checkpoints"))
            #expect(models == ["sdxl/base.safetensors"])
        }
    }
}
