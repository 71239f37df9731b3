import Foundation
import Hummingbird
import NIOPosix

extension ComfyUIEmulator {
    /// `extra_data` keys ComfyUI keeps out of the queue and history.
    static let sensitiveExtraDataKeys = ["auth_token_comfy_org", "api_key_comfy_org"]

    /// server.py's `post_prompt`: number, then the prompt, its id, validation, queueing.
    func postPrompt(_ request: Request) async throws -> Response {
        let json = try await json(request)
        guard let body = json.objectValue else {
            // `"number" in json_data` works on a list or a string (and finds nothing);
            // anything else raises.
            switch json {
            case .array, .string: return Self.noPrompt()
            default: throw ComfyUIHandlerException(reason: "argument of type is not iterable")
            }
        }
        let number: ComfyJSON
        if let given = body["number"] {
            number = .double(try ComfyUIPythonConversions.float(given))
        } else {
            let front = body["front"]?.isTruthy ?? false
            number = nextNumber.withLock { counter in
                defer { counter += 1 }
                return .int(front ? -counter : counter)
            }
        }
        guard let promptValue = body["prompt"] else { return Self.noPrompt() }
        guard let prompt = promptValue.objectValue else {
            throw ComfyUIHandlerException(reason: "the prompt is not a dict")
        }
        let promptID: String
        switch body["prompt_id"] {
        case nil, .null?:
            promptID = UUID().uuidString.lowercased()
        case .string(let given)? where !configuration.requiresUUIDPromptIDs || Self.isCanonicalUUID(given):
            promptID = given
        case let given? where !configuration.requiresUUIDPromptIDs:
            promptID = given.pythonString
        default:
            return ComfyUIResponses.json(
                [
                    "error": [
                        "type": "invalid_prompt_id", "message": "prompt_id must be a valid UUID",
                        "details":
                            "prompt_id must be a UUID string in canonical lowercase hyphenated form; omit it to let the server generate one",
                        "extra_info": [:],
                    ],
                    "node_errors": [:],
                ], status: .badRequest)
        }
        var targets: [String]?
        if let partial = body["partial_execution_targets"], partial != .null {
            targets = partial.arrayValue?.map(\.pythonString) ?? []
        }
        let result = try await validate(prompt, targets: targets)
        var extraData = ComfyJSON.Object()
        if let given = body["extra_data"] {
            guard let object = given.objectValue else { throw ComfyUIHandlerException(reason: "extra_data is not a dict") }
            extraData = object
        }
        if let clientID = body["client_id"] { extraData["client_id"] = clientID }
        guard result.isValid else {
            logger.warning("invalid prompt: \(result.error?.serialized ?? "")")
            return ComfyUIResponses.json(["error": result.error ?? .null, "node_errors": .object(result.nodeErrors)], status: .badRequest)
        }
        for key in Self.sensitiveExtraDataKeys { extraData[key] = nil }
        extraData["create_time"] = .int(Int(Date().timeIntervalSince1970 * 1000))
        let item = ComfyUIPromptQueue.Item(
            number: number, promptID: promptID, prompt: result.prompt, extraData: extraData, outputs: result.outputs)
        guard queue.put(item, rejectingDuplicates: configuration.rejectsDuplicatePromptIDs) else {
            return ComfyUIResponses.json(["error": "prompt_id already exists"], status: .conflict)
        }
        logger.info("got prompt", metadata: ["prompt_id": "\(promptID)"])
        return ComfyUIResponses.json([
            "prompt_id": .string(promptID), "number": number, "node_errors": .object(result.nodeErrors),
        ])
    }

    /// The 400 for a body without `prompt`.
    static func noPrompt() -> Response {
        ComfyUIResponses.json(
            [
                "error": ["type": "no_prompt", "message": "No prompt provided", "details": "No prompt provided", "extra_info": [:]],
                "node_errors": [:],
            ], status: .badRequest)
    }

    /// comfy_execution/jobs.py `validate_job_id`: `str(uuid.UUID(value)) == value`.
    static func isCanonicalUUID(_ value: String) -> Bool {
        guard let uuid = UUID(uuidString: value) else { return false }
        return uuid.uuidString.lowercased() == value
    }

    /// Validation against the node catalog as the folders are now.
    func validate(_ prompt: ComfyJSON.Object, targets: [String]?) async throws -> ComfyUIPromptValidator.Result {
        let folders = folders
        let definitions = try await NIOThreadPool.singleton.runIfActive { Self.definitions(folders) }
        let validator = ComfyUIPromptValidator(
            definitions: Dictionary(uniqueKeysWithValues: definitions.map { ($0.name, $0) }),
            inputImageExists: { folders.inputImagePath($0) != nil })
        return try await NIOThreadPool.singleton.runIfActive { validator.validate(prompt, partialExecutionTargets: targets) }
    }

    /// The node catalog with today's model files and input images (blocking: a thread pool).
    static func definitions(_ folders: ComfyUIFolders) -> [ComfyUINodeDefinition] {
        ComfyUINodeCatalog.definitions(
            checkpoints: folders.modelFiles("checkpoints"), loras: folders.modelFiles("loras"),
            inputImages: folders.inputImages())
    }
}
