public import VelocityTypes
import Broker
import CurlClient

/// What `POST /prompt` answered for an accepted prompt.
public struct ComfyUIQueuedPrompt: Sendable, Equatable {
    /// The id ComfyUI runs it under: ours, unless a build that predates `prompt_id` minted one.
    public var promptID: String
    /// Its place in ComfyUI's queue; nil when adopted after a 409.
    public var number: Double?
    /// The prompt was already there (a 409 after a retry whose first try had landed).
    public var adopted: Bool
}

extension ComfyUIClient {
    /// Queues `prompt` (API format) under `promptID`, which must be a lowercase hyphenated UUID.
    ///
    /// A 200 whose `node_errors` is not empty is a failure (ComfyUI dropped those outputs): the
    /// rest of the prompt is taken out of the queue again and the error thrown. A 400 becomes a
    /// non-retriable `ComfyUIError` (`comfyui_invalid_prompt`, `comfyui_validation_failed`,
    /// `comfyui_missing_model`, `comfyui_no_outputs`, `comfyui_rejected`). A transport failure
    /// is retried, since the prompt may have landed; a 409 (`prompt_id` already exists) means it
    /// did, and the prompt is adopted.
    public func queuePrompt(_ prompt: JSONValue, promptID: String) async throws -> ComfyUIQueuedPrompt {
        guard JobID.isValid(promptID) else {
            throw ComfyUIError(
                .comfyUIInvalidPrompt, "prompt_id \(promptID) is not a lowercase hyphenated UUID", retriable: false)
        }
        let body = JSONValue.object([
            "prompt": prompt, "prompt_id": .string(promptID), "client_id": .string(clientID),
        ])
        var attempt = 0
        while true {
            attempt += 1
            let response: HTTPClientResponse
            do {
                response = try await postJSON("/prompt", body)
            } catch let error as ComfyUIError where error.code == .comfyUIUnreachable && attempt <= configuration.promptRetries {
                try await Task.sleep(for: .milliseconds(100 * attempt))
                continue
            }
            switch response.status {
            case 200:
                return try await accepted(response.body, promptID: promptID)
            case 409:
                return ComfyUIQueuedPrompt(promptID: promptID, number: nil, adopted: true)
            default:
                throw ComfyUIPromptRejection.error(status: response.status, body: response.body)
            }
        }
    }

    private func accepted(_ body: [UInt8], promptID: String) async throws -> ComfyUIQueuedPrompt {
        guard let json = try? JSONValue(parsing: body), let id = json["prompt_id"]?.stringValue else {
            throw ComfyUIError(.comfyUIProtocolError, "POST /prompt answered 200 without a prompt_id", retriable: true)
        }
        if let failure = ComfyUIPromptRejection.failure(nodeErrors: json["node_errors"]) {
            // The valid outputs were queued: take them back so nothing runs for a failed job.
            try? await deleteFromQueue([id])
            try? await interrupt(promptID: id)
            var failure = failure
            failure.httpStatus = 200
            throw failure
        }
        return ComfyUIQueuedPrompt(promptID: id, number: json["number"]?.doubleValue, adopted: false)
    }
}
