import Foundation
import Hummingbird
import NIOCore

extension OpenAIEmulator {
    /// `POST /v1/chat/completions`.
    func chatCompletions(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 16 << 20)
        let style = configuration.errorStyle
        switch faults.next() {
        case .status(let status, let retryAfter)?:
            return EmulatorError.injected(status, retryAfterSeconds: retryAfter).response(style: style)
        case .delay(let milliseconds)?:
            try await Task.sleep(for: .milliseconds(milliseconds))
        case .drop?:
            // The head goes out, then the connection closes: the client sees a broken transfer.
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody { _ in throw CancellationError() })
        case nil:
            break
        }
        let chat: EmulatedChatRequest
        do {
            chat = try EmulatedChatRequest(body: Array(body.readableBytesView), configuration: configuration)
        } catch {
            return error.response(style: style)
        }
        let id = "chatcmpl-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let created = Int(Date().timeIntervalSince1970)
        if chat.stream { return stream(chat, id: id, created: created) }

        try await slots.acquire()
        let start = ContinuousClock.now
        let seconds = configuration.serviceSeconds(completionTokens: chat.maxTokens)
        do {
            try await Task.sleep(until: start + .seconds(seconds), clock: .continuous)
        } catch {
            slots.abandon()
            throw error
        }
        slots.release(promptTokens: chat.promptTokens, completionTokens: chat.maxTokens, busySeconds: seconds)
        let completion: [String: Any] = [
            "id": id, "object": "chat.completion", "created": created, "model": chat.model,
            "choices": [
                [
                    "index": 0,
                    "message": [
                        "role": "assistant", "content": EmulatedText.content(prompt: chat.promptText, count: chat.maxTokens),
                    ],
                    "logprobs": NSNull(), "finish_reason": "length",
                ] as [String: Any]
            ],
            "usage": usage(chat),
        ]
        return JSONText.response(completion)
    }

    func usage(_ chat: EmulatedChatRequest) -> [String: Any] {
        [
            "prompt_tokens": chat.promptTokens, "completion_tokens": chat.maxTokens,
            "total_tokens": chat.promptTokens + chat.maxTokens,
        ]
    }

    /// The SSE answer: a first chunk with the role, one chunk per token as it is decoded, a
    /// last chunk with the finish reason, a usage chunk if asked, then `data: [DONE]`.
    func stream(_ chat: EmulatedChatRequest, id: String, created: Int) -> Response {
        let slots = self.slots
        let configuration = self.configuration
        let model = chat.model
        let promptTokens = chat.promptTokens
        let completionTokens = chat.maxTokens
        let includeUsage = chat.includeUsage
        let tokens = EmulatedText.tokens(prompt: chat.promptText, count: chat.maxTokens)
        @Sendable func chunk(_ delta: [String: String], finish: String?) -> ByteBuffer {
            let object: [String: Any] = [
                "id": id, "object": "chat.completion.chunk", "created": created, "model": model,
                "choices": [["index": 0, "delta": delta, "logprobs": NSNull(), "finish_reason": finish ?? NSNull()] as [String: Any]],
            ]
            return ByteBuffer(bytes: Array("data: ".utf8) + JSONText.bytes(object) + Array("\n\n".utf8))
        }
        let body = ResponseBody { writer in
            try await slots.acquire()
            let start = ContinuousClock.now
            let perToken = Duration.seconds(1 / configuration.tokensPerSecond)
            let firstTokenAt = start + .milliseconds(configuration.prefillMilliseconds)
            var sent = 0
            do {
                try await Task.sleep(until: firstTokenAt, clock: .continuous)
                try await writer.write(chunk(["role": "assistant", "content": ""], finish: nil))
                while sent < tokens.count {
                    // Every token whose decode step has passed goes out now; the schedule is
                    // absolute, so late wake-ups do not add up.
                    let due = firstTokenAt + perToken * (sent + 1)
                    try await Task.sleep(until: due, clock: .continuous)
                    let elapsed = firstTokenAt.duration(to: .now)
                    let ready = min(tokens.count, max(sent + 1, Int(elapsed / perToken)))
                    var buffer = ByteBuffer()
                    for index in sent..<ready {
                        var piece = chunk(["content": tokens[index]], finish: nil)
                        buffer.writeBuffer(&piece)
                    }
                    sent = ready
                    try await writer.write(buffer)
                }
            } catch {
                slots.abandon()
                throw error
            }
            slots.release(
                promptTokens: promptTokens, completionTokens: completionTokens,
                busySeconds: start.duration(to: .now) / .seconds(1))
            var tail = chunk([:], finish: "length")
            if includeUsage {
                let object: [String: Any] = [
                    "id": id, "object": "chat.completion.chunk", "created": created, "model": model, "choices": [],
                    "usage": [
                        "prompt_tokens": promptTokens, "completion_tokens": completionTokens,
                        "total_tokens": promptTokens + completionTokens,
                    ],
                ]
                tail.writeBytes(Array("data: ".utf8) + JSONText.bytes(object) + Array("\n\n".utf8))
            }
            tail.writeString("data: [DONE]\n\n")
            try await writer.write(tail)
            try await writer.finish(nil)
        }
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }
}
