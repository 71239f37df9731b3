import Foundation
import Hummingbird
import NIOCore

extension OpenAIEmulator {
    /// `GET /v1/models` in the flavor's shape: SGLang's and vLLM's `ModelCard` (vLLM adds
    /// `parent` and `permission`), llama.cpp's OpenAI list plus an Ollama-style `models` list
    /// (`server-context.cpp`, `get_models`; `meta` is null until the model has loaded).
    func models() -> Response {
        let created = Int(Date().timeIntervalSince1970)
        let model = configuration.model
        var card: [String: Any] = ["id": model, "object": "model", "created": created, "owned_by": configuration.flavor.owner]
        switch configuration.flavor {
        case .sglang:
            card["root"] = model
            card["max_model_len"] = configuration.contextLength
            return JSONText.response(["object": "list", "data": [card]])
        case .vllm:
            card["root"] = model
            card["parent"] = NSNull()
            card["max_model_len"] = configuration.contextLength
            card["permission"] = [
                [
                    "id": "modelperm-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased(),
                    "object": "model_permission", "created": created, "allow_create_engine": false, "allow_sampling": true,
                    "allow_logprobs": true, "allow_search_indices": false, "allow_view": true, "allow_fine_tuning": false,
                    "organization": "*", "group": NSNull(), "is_blocking": false,
                ] as [String: Any]
            ]
            return JSONText.response(["object": "list", "data": [card]])
        case .llamacpp:
            if isStarting {
                card["meta"] = NSNull()
            } else {
                // A Llama 3.1 8B Q4_K_M's figures: the emulator has no model file to read them from.
                card["meta"] =
                    [
                        "vocab_type": 2, "n_vocab": 128_256, "n_ctx_train": max(configuration.contextLength, 131_072),
                        "n_embd": 4_096, "n_params": 8_030_261_248, "size": 4_912_898_304,
                    ] as [String: Any]
            }
            let ollama: [String: Any] = [
                "name": model, "model": model, "modified_at": "", "size": "", "digest": "", "type": "model",
                "description": "", "tags": [""], "capabilities": ["completion"], "parameters": "",
                "details": [
                    "parent_model": "", "format": "gguf", "family": "", "families": [""], "parameter_size": "",
                    "quantization_level": "",
                ] as [String: Any],
            ]
            return JSONText.response(["models": [ollama], "object": "list", "data": [card]])
        }
    }

    /// `GET /health`: SGLang 503 with an empty body while loading, then 200 with an empty body;
    /// vLLM 200 with an empty body (it is not listening before); llama.cpp `{"status":"ok"}`
    /// (its loading 503 comes from `LoadingGate`).
    func health() -> Response {
        switch configuration.flavor {
        case .llamacpp: JSONText.response(["status": "ok"])
        case .sglang, .vllm: Response(status: isStarting ? .serviceUnavailable : .ok)
        }
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

    /// `GET /metrics`: Prometheus text with the flavor's gauges and counters (`PrometheusText`).
    func metrics() -> Response {
        let text = PrometheusText.render(counts: slots.counts, configuration: configuration)
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

    /// `GET /emulator/stats`: work done so far, and the ids of the chats most recently given a
    /// decode slot, in the order they got it.
    func stats() -> Response {
        let counts = slots.counts
        return JSONText.response([
            "running": counts.running, "queued": counts.queued, "completed": counts.completed,
            "prompt_tokens": counts.promptTokens, "completion_tokens": counts.completionTokens,
            "busy_slot_seconds": counts.busySeconds, "uptime_seconds": started.duration(to: .now) / .seconds(1),
            "recent_grants": slots.grants,
        ])
    }
}
