import CurlClient
import Foundation

/// Decides whether a backend can take work, the way the switch protocol asks: ComfyUI answers
/// `/system_stats` and runs a model-free smoke prompt to completion; an LLM server answers
/// `/health` and generates one token.
struct BackendProbe: Sendable {
    enum Kind: Sendable, Equatable {
        case comfyUI
        case llm(model: String)
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

    /// The full check; throws saying what failed.
    func check(timeout: Duration) async throws(AgentError) {
        switch kind {
        case .comfyUI: try await smokePrompt(timeout: timeout)
        case .llm(let model): try await oneToken(model: model, timeout: timeout)
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
            throw AgentError(.backendNotReady, "ComfyUI refused the smoke prompt: HTTP \(queued.status) \(queued.text.prefix(300))")
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
                    .bytes("POST", baseURL + "/history", Array(#"{"delete":["\#(promptID)"]}"#.utf8), contentType: "application/json"))
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

    private func oneToken(model: String, timeout: Duration) async throws(AgentError) {
        let health = try await send(HTTPClientRequest(url: baseURL + "/health", timeoutMilliseconds: 5_000))
        guard health.status == 200 else {
            throw AgentError(.backendNotReady, "the LLM server's /health answered HTTP \(health.status)")
        }
        let body = try Self.json([
            "model": model, "max_tokens": 1, "temperature": 0,
            "messages": [["role": "user", "content": "ping"]],
        ])
        var request = HTTPClientRequest.bytes("POST", baseURL + "/v1/chat/completions", body, contentType: "application/json")
        request.timeoutMilliseconds = Int(timeout.components.seconds * 1000)
        let response = try await send(request)
        guard response.status == 200,
            let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
            let choices = object["choices"] as? [Any], !choices.isEmpty
        else {
            throw AgentError(.backendNotReady, "the LLM server did not generate a token: HTTP \(response.status) \(response.text.prefix(300))")
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
