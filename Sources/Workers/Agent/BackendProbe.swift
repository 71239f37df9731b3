import CurlClient
import Foundation

/// Decides whether a backend can take work, the way the switch protocol asks: ComfyUI answers
/// `/system_stats` and runs a model-free smoke prompt to completion; an LLM server answers
/// `/health`, names the model it serves in `/v1/models`, and generates one token with it.
struct BackendProbe: Sendable {
    enum Kind: Sendable, Equatable {
        case comfyUI
        /// `model`: the name the configuration asks for; nil takes the served one.
        case llm(model: String?)
    }

    let kind: Kind
    let baseURL: String
    let http: CurlHTTPClient

    /// Whether the server answers at all (the cheap check, repeated while it boots).
    func isUp() async -> Bool {
        let path = kind == .comfyUI ? "/system_stats" : "/health"
        let request = HTTPClientRequest(url: baseURL + path, timeoutMilliseconds: 5_000)
        guard let response = try? await http.execute(request) else { return false }
        return response.status == 200
    }

    /// The full check; throws saying what failed. Returns the model name an LLM server serves
    /// (nil for ComfyUI).
    func check(timeout: Duration) async throws(AgentError) -> String? {
        switch kind {
        case .comfyUI:
            try await smokePrompt(timeout: timeout)
            return nil
        case .llm(let model):
            return try await oneToken(preferring: model, timeout: timeout)
        }
    }

    /// A prompt of nodes that need no model files (EmptyImage → ImageInvert → PreviewImage),
    /// followed until it shows in `/history`, then removed from it.
    private func smokePrompt(timeout: Duration) async throws(AgentError) {
        let promptID = UUID().uuidString.lowercased()
        let prompt: [String: Any] = [
            "prompt_id": promptID,
            "client_id": "velocity-agent-probe",
            "prompt": [
                "1": ["class_type": "EmptyImage", "inputs": ["width": 64, "height": 64, "batch_size": 1, "color": 0]],
                "2": ["class_type": "ImageInvert", "inputs": ["image": ["1", 0]]],
                "3": ["class_type": "PreviewImage", "inputs": ["images": ["2", 0]]],
            ],
        ]
        let body = try Self.json(prompt)
        let queued = try await send(.bytes("POST", baseURL + "/prompt", body, contentType: "application/json"))
        guard queued.status == 200 else {
            throw AgentError(
                .backendNotReady, "ComfyUI refused the smoke prompt: HTTP \(queued.status) \(queued.text.prefix(300))")
        }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let history = try await send(HTTPClientRequest(url: baseURL + "/history/" + promptID, timeoutMilliseconds: 5_000))
            if history.status == 200,
                let object = try? JSONSerialization.jsonObject(with: Data(history.body)) as? [String: Any],
                let entry = object[promptID] as? [String: Any]
            {
                let status = (entry["status"] as? [String: Any])?["status_str"] as? String
                _ = try? await http.execute(
                    .bytes(
                        "POST", baseURL + "/history", Array(#"{"delete":["\#(promptID)"]}"#.utf8), contentType: "application/json"
                    ))
                guard status == "success" else {
                    throw AgentError(.backendNotReady, "ComfyUI's smoke prompt ended with status \(status ?? "unknown")")
                }
                return
            }
            do { try await Task.sleep(for: .milliseconds(100)) } catch {
                throw AgentError(.backendNotReady, "probe canceled")
            }
        }
        throw AgentError(.backendNotReady, "ComfyUI's smoke prompt did not finish within \(timeout)")
    }

    /// `/health` (waiting while llama.cpp says it is loading), the served model from
    /// `/v1/models`, then one generated token with that name.
    private func oneToken(preferring preferred: String?, timeout: Duration) async throws(AgentError) -> String {
        let client = OpenAIClient(http: http, configuration: .init(baseURL: baseURL, requestTimeout: timeout, retry: .once))
        do {
            try await client.waitWhileLoading(timeout: timeout, pollInterval: .milliseconds(250))
            let model = try await client.servedModel(preferring: preferred)
            try await client.checkReady(model: model, timeout: timeout, loadingTimeout: timeout)
            return model
        } catch let error as OpenAIClientError {
            throw AgentError(.backendNotReady, "the LLM server is not ready: \(error)")
        } catch {
            throw AgentError(.backendNotReady, "the LLM server probe failed", cause: error)
        }
    }

    private func send(_ request: HTTPClientRequest) async throws(AgentError) -> HTTPClientResponse {
        do {
            return try await http.execute(request)
        } catch {
            throw AgentError(.backendNotReady, "\(request.method) \(request.url) failed", cause: error)
        }
    }

    private static func json(_ object: Any) throws(AgentError) -> [UInt8] {
        do {
            return Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
        } catch {
            throw AgentError(.invalidConfiguration, "could not encode a probe request", cause: error)
        }
    }
}
