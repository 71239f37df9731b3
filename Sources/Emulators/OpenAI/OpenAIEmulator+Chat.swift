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
        let answer = EmulatedAnswer(chat, configuration: configuration)
        let shape = ChatShape(
            flavor: configuration.flavor,
            id: "chatcmpl-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased(),
            created: Int(Date().timeIntervalSince1970), model: chat.model, promptTokens: chat.promptTokens,
            configuration: configuration)
        if chat.stream { return stream(answer, shape: shape, includeUsage: chat.includeUsage) }

        let start = try await slots.acquire(request: shape.id)
        let seconds = configuration.serviceSeconds(completionTokens: answer.tokens.count)
        do {
            try await Task.sleep(until: start + .seconds(seconds), clock: .continuous)
        } catch {
            slots.abandon()
            throw error
        }
        slots.release(promptTokens: chat.promptTokens, completionTokens: answer.tokens.count, busySeconds: seconds)
        return JSONText.response(shape.completion(answer))
    }

    /// The SSE answer in the flavor's chunk sequence (`ChatShape`), each token sent as it is
    /// decoded, then `data: [DONE]`.
    func stream(_ answer: EmulatedAnswer, shape: ChatShape, includeUsage: Bool) -> Response {
        let slots = self.slots
        let configuration = self.configuration
        let tokens = answer.tokens
        let finish = answer.finishReason
        // vLLM sends the finish reason with the last token; the others in a chunk of their own.
        let finishOnLastToken = shape.flavor == .vllm && !tokens.isEmpty
        let body = ResponseBody { writer in
            let start = try await slots.acquire(request: shape.id)
            let perToken = Duration.seconds(1 / configuration.tokensPerSecond)
            let firstTokenAt = start + .milliseconds(configuration.prefillMilliseconds)
            var sent = 0
            do {
                try await Task.sleep(until: firstTokenAt, clock: .continuous)
                try await writer.write(ByteBuffer(bytes: ChatShape.event(shape.roleChunk())))
                while sent < tokens.count {
                    // Every token whose decode step has passed goes out now; the schedule is
                    // absolute, so late wake-ups do not add up.
                    let due = firstTokenAt + perToken * (sent + 1)
                    try await Task.sleep(until: due, clock: .continuous)
                    let elapsed = firstTokenAt.duration(to: .now)
                    let ready = min(tokens.count, max(sent + 1, Int(elapsed / perToken)))
                    var bytes: [UInt8] = []
                    for index in sent..<ready {
                        let last = finishOnLastToken && index == tokens.count - 1
                        bytes += ChatShape.event(shape.tokenChunk(tokens[index], finish: last ? finish : nil))
                    }
                    sent = ready
                    try await writer.write(ByteBuffer(bytes: bytes))
                }
            } catch {
                slots.abandon()
                throw error
            }
            slots.release(
                promptTokens: shape.promptTokens, completionTokens: tokens.count,
                busySeconds: start.duration(to: .now) / .seconds(1))
            var tail: [[String: Any]] = finishOnLastToken ? [] : [shape.finishChunk(finish)]
            if includeUsage { tail.append(shape.usageChunk(tokens.count)) }
            if shape.flavor == .llamacpp, var last = tail.popLast() {
                last["timings"] = shape.timings(tokens.count)
                tail.append(last)
            }
            var bytes = tail.flatMap(ChatShape.event)
            bytes += Array("data: [DONE]\n\n".utf8)
            try await writer.write(ByteBuffer(bytes: bytes))
            try await writer.finish(nil)
        }
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }
}
