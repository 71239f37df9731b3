import Foundation
import Hummingbird
import NIOCore

extension OpenAIEmulator {
    /// `GET /v1/models`.
    func models() -> Response {
        JSONText.response([
            "object": "list",
            "data": [
                [
                    "id": configuration.model, "object": "model", "created": Int(Date().timeIntervalSince1970),
                    "owned_by": "sglang", "root": configuration.model, "max_model_len": configuration.contextLength,
                ] as [String: Any]
            ],
        ])
    }

    /// `GET /health`: 503 while "loading weights", then 200 with an empty body.
    func health() -> Response {
        Response(status: isStarting ? .serviceUnavailable : .ok)
    }

    /// `GET /health_generate`: like SGLang, free when the server is busy (it is evidently
    /// generating), otherwise one token through a decode slot.
    func healthGenerate() async throws -> Response {
        if isStarting { return Response(status: .serviceUnavailable) }
        if slots.counts.running > 0 { return Response(status: .ok) }
        try await slots.acquire()
        let seconds = configuration.serviceSeconds(completionTokens: 1)
        do {
            try await Task.sleep(for: .seconds(seconds))
        } catch {
            slots.abandon()
            throw error
        }
        slots.release(promptTokens: 1, completionTokens: 1, busySeconds: seconds, finished: false)
        return Response(status: .ok)
    }

    /// `GET /get_server_info`: SGLang's server arguments (the ones clients read) plus the
    /// emulator's own capacity figures.
    func serverInfo() -> Response {
        let capacity = configuration.capacity(maxTokens: configuration.defaultMaxTokens)
        return JSONText.response([
            "model_path": configuration.model, "served_model_name": configuration.model, "tp_size": 1, "dp_size": 1,
            "max_running_requests": configuration.slots, "context_length": configuration.contextLength,
            "enable_metrics": true, "version": "emulator",
            "emulator": [
                "slots": configuration.slots, "tokens_per_second": configuration.tokensPerSecond,
                "prefill_ms": configuration.prefillMilliseconds, "default_max_tokens": configuration.defaultMaxTokens,
                "requests_per_second_at_default_max_tokens": capacity.requestsPerSecond,
            ] as [String: Any],
        ])
    }

    /// `GET /get_model_info`.
    func modelInfo() -> Response {
        JSONText.response([
            "model_path": configuration.model, "tokenizer_path": configuration.model, "is_generation": true,
        ])
    }

    /// `GET /metrics`: Prometheus text with SGLang's scheduler gauges (labelled as SGLang
    /// labels them), and vLLM's when configured.
    func metrics() -> Response {
        let counts = slots.counts
        let text = PrometheusText.render(
            counts: counts, configuration: configuration,
            genThroughput: Double(counts.running) * configuration.tokensPerSecond)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// `POST /emulator/faults`: `{"status": 429|503|500…, "retry_after": seconds?}`,
    /// `{"delay_ms": N}` or `{"drop": true}`, each with an optional `"count"` (default 1).
    func addFaults(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 65_536)
        guard let json = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] else {
            return EmulatorError.badRequest("the body must be a JSON object").response(style: .openai)
        }
        let count = (json["count"] as? NSNumber)?.intValue ?? 1
        guard count >= 1 else { return EmulatorError.badRequest("count must be at least 1").response(style: .openai) }
        if let status = (json["status"] as? NSNumber)?.intValue {
            guard (400...599).contains(status) else {
                return EmulatorError.badRequest("status must be from 400 to 599").response(style: .openai)
            }
            faults.add(.status(status, retryAfterSeconds: (json["retry_after"] as? NSNumber)?.intValue), count: count)
        } else if let delay = (json["delay_ms"] as? NSNumber)?.intValue, delay >= 0 {
            faults.add(.delay(milliseconds: delay), count: count)
        } else if json["drop"] as? Bool == true {
            faults.add(.drop, count: count)
        } else {
            return EmulatorError.badRequest("name a fault: status, delay_ms or drop").response(style: .openai)
        }
        return JSONText.response(["pending": faults.pending])
    }

    /// `GET /emulator/capacity?max_tokens=N`.
    func capacity(_ request: Request) -> Response {
        let maxTokens = request.uri.queryParameters.get("max_tokens", as: Int.self) ?? configuration.defaultMaxTokens
        let capacity = configuration.capacity(maxTokens: max(1, maxTokens))
        let data = (try? JSONEncoder().encode(capacity)) ?? Data()
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(data: data)))
    }

    /// `GET /emulator/stats`: work done so far.
    func stats() -> Response {
        let counts = slots.counts
        return JSONText.response([
            "running": counts.running, "queued": counts.queued, "completed": counts.completed,
            "prompt_tokens": counts.promptTokens, "completion_tokens": counts.completionTokens,
            "busy_slot_seconds": counts.busySeconds, "uptime_seconds": started.duration(to: .now) / .seconds(1),
        ])
    }
}
