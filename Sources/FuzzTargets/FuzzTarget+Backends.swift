import CurlClient
import Foundation
import VelocityTypes
import Workers

extension FuzzTarget {
    /// What a ComfyUI server sends: websocket messages, and `/history/{id}` answers (the
    /// input's first line is the prompt id).
    static func comfyUI(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        _ = ComfyUIEvent.decode(text)
        let newline = bytes.firstIndex(of: 0x0A) ?? bytes.endIndex
        let promptID = String(decoding: bytes[..<newline], as: UTF8.self)
        guard newline < bytes.endIndex, let answer = try? JSONValue(parsing: bytes[(newline + 1)...]) else { return }
        if let entry = try? ComfyUIHistoryEntry.parse(answer, promptID: promptID) {
            check(entry.promptID == promptID, "the entry of \(entry.promptID) for \(promptID)")
        }
    }

    /// A backend's Prometheus `/metrics` page (SGLang, vLLM, llama.cpp), read for its load.
    static func metrics(_ bytes: [UInt8]) {
        guard let load = ServerLoad.parse(String(decoding: bytes, as: UTF8.self)) else { return }
        check(load.running >= 0 && load.queued >= 0, "a load of \(load.running) running, \(load.queued) queued")
    }

    /// An OpenAI-compatible server's answer: the input's first line is its `Retry-After`, the
    /// next byte picks the status (400-599), the rest is the body.
    static func openAI(_ bytes: [UInt8]) {
        let newline = bytes.firstIndex(of: 0x0A) ?? bytes.endIndex
        let retryAfter = String(decoding: bytes[..<newline], as: UTF8.self)
        let rest = bytes[min(newline + 1, bytes.endIndex)...]
        let status = 400 + Int(rest.first ?? 0) % 200
        let body = Array(rest.dropFirst())
        let error = OpenAIClientError.from(
            status: status, headers: ["Retry-After": retryAfter], body: body, now: Date(timeIntervalSince1970: 1_000))
        check(error.status == status, "status \(status) classified as \(String(describing: error.status))")
        if let wait = error.retryAfter {
            check(wait >= .zero && wait <= OpenAIClientError.maxRetryAfter, "a Retry-After of \(wait)")
        }
        check(!error.message.isEmpty, "an empty message for HTTP \(status)")
        let data = Data(body)
        _ = try? JSONDecoder().decode(ChatCompletion.self, from: data)
        _ = try? JSONDecoder().decode(ChatCompletionChunk.self, from: data)
    }
}
