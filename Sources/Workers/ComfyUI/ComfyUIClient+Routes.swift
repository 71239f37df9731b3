public import VelocityTypes
import CurlClient

/// `GET /queue`: the prompts ComfyUI is running and those waiting.
public struct ComfyUIQueueSnapshot: Sendable, Equatable {
    public var running: [String]
    public var pending: [String]

    public init(running: [String], pending: [String]) {
        self.running = running
        self.pending = pending
    }

    public func contains(_ promptID: String) -> Bool {
        running.contains(promptID) || pending.contains(promptID)
    }
}

/// `GET /system_stats`: enough to tell the server answers, which version, and its GPU.
public struct ComfyUISystemStats: Sendable, Equatable {
    public struct Device: Sendable, Equatable {
        public var name: String
        public var type: String
        public var vramTotal: Int64?
        public var vramFree: Int64?
    }

    public var comfyUIVersion: String?
    public var devices: [Device]
    /// The whole answer, for what this type does not name.
    public var raw: JSONValue
}

extension ComfyUIClient {
    /// `POST /upload/image` (multipart `image`, `overwrite=true`, `subfolder`, `type=input`):
    /// the file a `LoadImage` node then names as `subfolder/filename`.
    public func uploadImage(
        _ bytes: [UInt8], filename: String, subfolder: String = "", contentType: String = "image/png"
    ) async throws -> ComfyUIFileRef {
        var form = MultipartForm()
        form.addData("image", bytes, filename: filename, contentType: contentType)
        form.addField("overwrite", "true")
        form.addField("subfolder", subfolder)
        form.addField("type", "input")
        let response = try await send(
            HTTPClientRequest(method: "POST", url: baseURL + "/upload/image", body: .multipart(form)),
            timeoutMilliseconds: configuration.transferTimeoutMilliseconds)
        guard response.status == 200 else {
            throw ComfyUIError(
                .comfyUIUploadFailed, "POST /upload/image answered \(response.status) for \(filename)",
                retriable: response.status >= 500, httpStatus: response.status)
        }
        let json = try json(response, from: "POST /upload/image")
        guard let name = json["name"]?.stringValue else {
            throw ComfyUIError(.comfyUIProtocolError, "POST /upload/image answered without a name", retriable: true)
        }
        return ComfyUIFileRef(filename: name, subfolder: json["subfolder"]?.stringValue ?? subfolder, type: "input")
    }

    /// `GET /history/{id}`: the prompt's entry once it finished, nil while ComfyUI answers `{}`.
    public func history(_ promptID: String) async throws -> ComfyUIHistoryEntry? {
        let route = "GET /history/\(promptID)"
        let response = try await get("/history/" + Self.percentEncoded(promptID))
        return try ComfyUIHistoryEntry.parse(try json(response, from: route), promptID: promptID)
    }

    /// `POST /history {"delete": [ids]}`; deleting an absent entry is not an error.
    public func deleteHistory(_ promptIDs: [String]) async throws {
        let response = try await postJSON("/history", .object(["delete": .array(promptIDs.map(JSONValue.string))]))
        guard response.status == 200 else { throw unexpected(response, from: "POST /history") }
    }

    /// `GET /view?filename=&subfolder=&type=`: the file's bytes.
    public func view(_ file: ComfyUIFileRef) async throws -> [UInt8] {
        let query = "filename=\(Self.percentEncoded(file.filename))&subfolder=\(Self.percentEncoded(file.subfolder))"
            + "&type=\(Self.percentEncoded(file.type))"
        let response = try await send(
            HTTPClientRequest(method: "GET", url: baseURL + "/view?" + query),
            timeoutMilliseconds: configuration.transferTimeoutMilliseconds)
        guard response.status == 200 else { throw unexpected(response, from: "GET /view \(file.filename)") }
        return response.body
    }

    /// `POST /interrupt {"prompt_id": id}`: stops the prompt if it is the one running (between
    /// nodes); ComfyUI ignores it otherwise. Without an id it stops whatever runs.
    public func interrupt(promptID: String?) async throws {
        let body: JSONValue = promptID.map { .object(["prompt_id": .string($0)]) } ?? .object([:])
        let response = try await postJSON("/interrupt", body)
        guard response.status == 200 else { throw unexpected(response, from: "POST /interrupt") }
    }

    /// `POST /queue {"delete": [ids]}`: drops prompts still waiting (they never reach history).
    public func deleteFromQueue(_ promptIDs: [String]) async throws {
        let response = try await postJSON("/queue", .object(["delete": .array(promptIDs.map(JSONValue.string))]))
        guard response.status == 200 else { throw unexpected(response, from: "POST /queue") }
    }

    /// `POST /free`: flags ComfyUI acts on between prompts, not at once.
    public func free(unloadModels: Bool, freeMemory: Bool) async throws {
        let response = try await postJSON(
            "/free", .object(["unload_models": .bool(unloadModels), "free_memory": .bool(freeMemory)]))
        guard response.status == 200 else { throw unexpected(response, from: "POST /free") }
    }

    /// `GET /queue`.
    public func queue() async throws -> ComfyUIQueueSnapshot {
        let json = try json(try await get("/queue"), from: "GET /queue")
        func ids(_ key: String) throws -> [String] {
            guard let items = json[key]?.arrayValue else {
                throw ComfyUIError(.comfyUIProtocolError, "GET /queue answered without \(key)", retriable: true)
            }
            // Each item is [number, prompt_id, prompt, extra_data, outputs_to_execute, ...].
            return items.compactMap { $0.arrayValue.flatMap { $0.count > 1 ? $0[1].stringValue : nil } }
        }
        return ComfyUIQueueSnapshot(running: try ids("queue_running"), pending: try ids("queue_pending"))
    }

    /// `GET /system_stats`: the readiness probe.
    public func systemStats() async throws -> ComfyUISystemStats {
        let json = try json(try await get("/system_stats"), from: "GET /system_stats")
        guard let system = json["system"], system.objectValue != nil else {
            throw ComfyUIError(.comfyUIProtocolError, "GET /system_stats answered without system", retriable: true)
        }
        let devices = (json["devices"]?.arrayValue ?? []).map { device in
            ComfyUISystemStats.Device(
                name: device["name"]?.stringValue ?? "", type: device["type"]?.stringValue ?? "",
                vramTotal: device["vram_total"]?.intValue, vramFree: device["vram_free"]?.intValue)
        }
        return ComfyUISystemStats(comfyUIVersion: system["comfyui_version"]?.stringValue, devices: devices, raw: json)
    }
}
