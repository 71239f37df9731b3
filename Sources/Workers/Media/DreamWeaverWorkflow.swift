import Foundation
public import JobContracts
import NIOPosix
public import VelocityTypes

/// The Dream Weaver staging workflow, loaded and checked: a ComfyUI API-format graph plus its
/// manifest. Building a job's prompt only sets the manifest's parameters in a copy of the graph.
public struct DreamWeaverWorkflow: Sendable {
    public let manifest: WorkflowManifest
    /// The graph as loaded: `{node_id: {class_type, inputs, …}}`.
    public let graph: [String: JSONValue]

    /// Loads and checks `path` (a manifest) and the workflow it names; throws `WorkflowError`.
    /// The files are read on NIO's thread pool.
    public static func load(manifestAt path: String) async throws -> DreamWeaverWorkflow {
        let manifestURL = URL(fileURLWithPath: path)
        let manifestBytes = try await read(manifestURL, entry: "manifest")
        var manifest = try decodeManifest(manifestBytes)
        if manifest.name == nil {
            manifest.name = String(manifestURL.lastPathComponent.prefix { $0 != "." })
        }
        let workflowURL = manifestURL.deletingLastPathComponent().appendingPathComponent(manifest.workflow)
        let workflowBytes = try await read(workflowURL, entry: "workflow")
        return try DreamWeaverWorkflow(manifest: manifest, workflowJSON: workflowBytes)
    }

    /// Checks `manifestJSON` against `workflowJSON`; throws `WorkflowError` naming the bad entry.
    public init(manifestJSON: [UInt8], workflowJSON: [UInt8]) throws {
        try self.init(manifest: try Self.decodeManifest(manifestJSON), workflowJSON: workflowJSON)
    }

    init(manifest: WorkflowManifest, workflowJSON: [UInt8]) throws {
        if let name = manifest.name, !DreamWeaverRender.isWorkflowName(name) {
            throw WorkflowError(entry: "name", "must be 1-64 of [a-z0-9_], not '\(name)'")
        }
        guard let json = try? JSONValue(parsing: workflowJSON), let graph = json.objectValue else {
            throw WorkflowError(entry: "workflow", "is not a JSON object of nodes (ComfyUI's API format)")
        }
        try WorkflowValidation(manifest: manifest, graph: graph).check()
        self.manifest = manifest
        self.graph = graph
    }

    /// The model files the workflow needs.
    public var models: [WorkflowManifest.Model] { manifest.models }

    /// Its name, which jobs choose it by.
    public var name: String { manifest.name ?? DreamWeaverRender.defaultWorkflow }

    /// The positive prompt for a room type and style keywords.
    public func positivePrompt(roomType: String, style: String) -> String {
        let room = manifest.room_names?[roomType] ?? roomType.replacingOccurrences(of: "_", with: " ")
        return manifest.prompt_template
            .replacingOccurrences(of: "{room}", with: room)
            .replacingOccurrences(of: "{style}", with: style)
    }

    /// The seed of a job: the client's, else one derived from the job id, so every attempt of
    /// the job renders the same image.
    public static func seed(for payload: DreamWeaverRender.Payload, jobID: String) -> UInt64 {
        if let seed = payload.seed { return UInt64(seed) }
        // FNV-1a: stable across processes and platforms (Hasher is seeded per process).
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in jobID.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash & 0xFFFF_FFFF
    }

    /// The prompt (API format) for one render.
    public func prompt(
        for payload: DreamWeaverRender.Payload, image: ComfyUIFileRef, seed: UInt64, filenamePrefix: String
    ) -> JSONValue {
        var values: [String: JSONValue] = [
            "image": .string(image.subfolder.isEmpty ? image.filename : image.subfolder + "/" + image.filename),
            "positive_prompt": .string(positivePrompt(roomType: payload.room_type, style: payload.style)),
            "seed": .int(Int64(seed)),
            "filename_prefix": .string(filenamePrefix),
        ]
        if let negative = manifest.negative_prompt { values["negative_prompt"] = .string(negative) }
        var nodes = graph
        for (name, value) in values {
            guard let parameter = manifest.parameters[name], case .object(var node)? = nodes[parameter.node],
                case .object(var inputs)? = node["inputs"]
            else { continue }
            inputs[parameter.input] = value
            node["inputs"] = .object(inputs)
            nodes[parameter.node] = .object(node)
        }
        return .object(nodes)
    }

    static func decodeManifest(_ bytes: [UInt8]) throws -> WorkflowManifest {
        do {
            return try JSONDecoder().decode(WorkflowManifest.self, from: Data(bytes))
        } catch let DecodingError.keyNotFound(key, context) {
            let path = (context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")
            throw WorkflowError(entry: path, "is required")
        } catch let DecodingError.typeMismatch(type, context) {
            throw WorkflowError(entry: path(context), "should be a \(type)")
        } catch let DecodingError.valueNotFound(type, context) {
            throw WorkflowError(entry: path(context), "should be a \(type), not null")
        } catch {
            throw WorkflowError(entry: "manifest", "is not JSON: \(error)")
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        return path.isEmpty ? "manifest" : path.replacingOccurrences(of: ".[", with: "[")
    }

    private static func read(_ url: URL, entry: String) async throws -> [UInt8] {
        do {
            return try await NIOThreadPool.singleton.runIfActive { Array(try Data(contentsOf: url)) }
        } catch {
            throw WorkflowError(.workflowUnreadable, entry: entry, "cannot read \(url.path): \(error)")
        }
    }
}
