import GPUBox
import JobContracts

extension OpenAPIDocument {
    static func object(_ properties: [String: Any], required: [String] = []) -> [String: Any] {
        var schema: [String: Any] = ["type": "object", "properties": properties]
        if !required.isEmpty { schema["required"] = required }
        return schema
    }

    static var string: [String: Any] { ["type": "string"] }
    static var integer: [String: Any] { ["type": "integer"] }
    static var number: [String: Any] { ["type": "number"] }
    static var boolean: [String: Any] { ["type": "boolean"] }
    static var anyObject: [String: Any] { ["type": "object"] }
    static func oneOf(_ words: [String]) -> [String: Any] { ["type": "string", "enum": words] }
    static func integer(_ range: ClosedRange<Int>) -> [String: Any] {
        ["type": "integer", "minimum": range.lowerBound, "maximum": range.upperBound]
    }
    static func number(_ range: ClosedRange<Double>) -> [String: Any] {
        ["type": "number", "minimum": range.lowerBound, "maximum": range.upperBound]
    }
    static func pattern(_ regex: String) -> [String: Any] { ["type": "string", "pattern": regex] }

    /// A batch's or synthetic job's chance of finishing inside its completion window (`BatchWindow`).
    static var windowRisk: [String: Any] {
        object([
            "risk": oneOf(["on_track", "at_risk", "late"]), "ratio": nullable(number),
            "projected_completion_at": nullable(integer), "promoted_at": nullable(integer),
            "promoted_priority": nullable(integer),
        ])
    }
    /// A webhook's events: at least one, each one of `events`.
    static func events(_ events: [String]) -> [String: Any] {
        ["type": "array", "items": oneOf(events), "minItems": 1]
    }
    static func nullable(_ schema: [String: Any]) -> [String: Any] { ["anyOf": [schema, ["type": "null"]]] }
    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    static func array(_ items: [String: Any]) -> [String: Any] { ["type": "array", "items": items] }
    /// A request body's object: a field it may leave out may also be null, which reads as left
    /// out (the gateway's decoders do so).
    static func request(_ properties: [String: Any], required: [String] = []) -> [String: Any] {
        object(
            properties.reduce(into: [String: Any]()) { result, entry in
                let schema = entry.value as? [String: Any] ?? [:]
                result[entry.key] = required.contains(entry.key) ? schema : nullable(schema)
            }, required: required)
    }

    /// Text without U+0000.
    static let nulFreePattern = "^[^\\x00]*$"

    /// `schema` with every string, property name and free-form value of it refusing U+0000:
    /// what a request body's schema says, as the gateway refuses such text (nothing can store it).
    static func nulFree(_ schema: [String: Any]) -> [String: Any] {
        var schema = schema
        for key in ["anyOf", "oneOf", "allOf"] {
            if let parts = schema[key] as? [[String: Any]] { schema[key] = parts.map(nulFree) }
        }
        if let properties = schema["properties"] as? [String: [String: Any]] {
            schema["properties"] = properties.mapValues(nulFree)
        }
        if let items = schema["items"] as? [String: Any] { schema["items"] = items.isEmpty ? ref("NULFreeJSON") : nulFree(items) }
        if let values = schema["additionalProperties"] as? [String: Any] { schema["additionalProperties"] = nulFree(values) }
        switch schema["type"] as? String {
        case "string" where schema["pattern"] == nil && schema["enum"] == nil:
            schema["pattern"] = nulFreePattern
        case "object":
            if schema["propertyNames"] == nil { schema["propertyNames"] = ["pattern": nulFreePattern] }
            if schema["additionalProperties"] == nil { schema["additionalProperties"] = ref("NULFreeJSON") }
        default:
            break
        }
        return schema
    }

    /// Any JSON value whose text holds no U+0000.
    static var nulFreeJSON: [String: Any] {
        [
            "anyOf": [
                ["type": ["null", "boolean", "number"]], ["type": "string", "pattern": nulFreePattern],
                ["type": "array", "items": ref("NULFreeJSON")],
                [
                    "type": "object", "propertyNames": ["pattern": nulFreePattern],
                    "additionalProperties": ref("NULFreeJSON"),
                ],
            ]
        ]
    }

    static func list(_ item: String) -> [String: Any] {
        object(["object": string, "data": array(ref(item)), "next_cursor": nullable(string), "has_more": boolean])
    }

    /// What a cap or a rate counts: the queue, a tenant, a kind or a concurrency key (50
    /// characters here keep it within the broker's 200 bytes whatever they are).
    static var limitSubject: [String: Any] {
        [
            "pattern": "^(queue|tenant:[^:\\x00-\\x1f\\x7f-\\x9f]+|(kind|key):[^\\x00-\\x1f\\x7f-\\x9f]+)$", "maxLength": 50,
        ]
    }

    static let jobStates = ["queued", "starting", "processing", "succeeded", "failed", "canceled", "retrying", "dead"]

    static var schemas: [String: Any] {
        [
            "Error": object(
                [
                    "error": object(
                        [
                            "code": string, "message": string,
                            "details": ["type": "object", "additionalProperties": string],
                        ], required: ["code", "message", "details"])
                ], required: ["error"]),
            "JobSubmit": request(
                [
                    "kind": oneOf(JobKindRegistry.standard.names), "payload": anyObject,
                    "priority": integer(-1_000...1_000), "max_attempts": integer(1...100),
                    "delay_ms": ["type": "integer", "minimum": 0], "idempotency_key": string,
                    "timeouts": request(["wait_ms": integer, "run_ms": integer, "heartbeat_ms": integer]),
                    "backoff": request(["base_ms": integer, "max_ms": integer]),
                    "webhook_url": pattern("^https?://[^\\x00]*$"), "webhook_events": events(WebhookPolicy.jobEvents),
                    "concurrency_key": string,
                ], required: ["kind"]
            ).merging(["dependentRequired": ["webhook_events": ["webhook_url"]]]) { $1 },
            "Accepted": object(
                [
                    "id": string, "status": string, "kind": string, "queue": string, "created": boolean,
                    "urls": ref("JobURLs"),
                ], required: ["id", "status", "urls"]),
            "JobURLs": object(["get": string, "cancel": string, "events": string, "result": string]),
            "Job": object(
                [
                    "id": string, "kind": string, "queue": string, "status": ["type": "string", "enum": jobStates],
                    "tenant": string, "priority": integer, "attempts": integer, "max_attempts": integer,
                    "worker": nullable(string), "fault_domains": array(string),
                    "attempt_history": array(object(["attempt": integer, "worker": string, "error_code": string])),
                    "queue_position": nullable(integer), "waiting_reason": nullable(string), "cancel_requested": boolean,
                    "eta": nullable(
                        object(["p50_ms": integer, "p90_ms": integer, "p50_at": string, "p90_at": string])),
                    "progress": nullable(object(["fraction": nullable(number), "message": nullable(string)])),
                    "metrics": object(["queue_ms": nullable(integer), "run_ms": nullable(integer)]),
                    "error": nullable(object(["code": string, "message": string, "retriable": nullable(boolean)])),
                    "parent_batch": nullable(string), "created_at": nullable(string), "started_at": nullable(string),
                    "finished_at": nullable(string), "urls": ref("JobURLs"),
                ], required: ["id", "kind", "status", "urls"]),
            "JobList": list("Job"),
            "NULFreeJSON": nulFreeJSON,
            // One Server-Sent Event: its name, and the job as JSON text.
            "JobEvent": object(
                [
                    "event": oneOf(jobStates + ["position"]),
                    "data": [
                        "type": "string", "contentMediaType": "application/json", "contentSchema": ref("Job"),
                    ],
                ], required: ["event", "data"]),
            "JobResult": object(["id": string, "status": string, "result": [:], "error": nullable(anyObject)]),
            "CancelOutcome": object(
                [
                    "id": string, "status": string,
                    "outcome": ["type": "string", "enum": ["canceled", "cancel_requested", "already_ended"]],
                ]),
            "DreamWeaverAccepted": object(
                ["job_id": string, "status": string, "status_url": string, "result_url": string]),
            "DreamWeaverHealth": object(["status": string, "queue": anyObject]),
            "File": object(
                ["id": string, "object": string, "bytes": integer, "created_at": integer, "filename": string, "purpose": string]),
            "FileList": list("File"),
            "BatchCreate": request(
                [
                    "input_file_id": string, "endpoint": string, "completion_window": string, "metadata": anyObject,
                    "webhook_url": string, "webhook_events": array(string),
                ],
                required: ["input_file_id", "endpoint", "completion_window"]),
            "Batch": object(
                [
                    "id": string, "object": string, "endpoint": string, "errors": nullable(anyObject),
                    "input_file_id": string, "completion_window": string, "status": string,
                    "output_file_id": nullable(string), "error_file_id": nullable(string), "created_at": integer,
                    "in_progress_at": nullable(integer), "expires_at": nullable(integer),
                    "finalizing_at": nullable(integer), "completed_at": nullable(integer),
                    "failed_at": nullable(integer), "expired_at": nullable(integer),
                    "cancelling_at": nullable(integer), "cancelled_at": nullable(integer),
                    "request_counts": object(["total": integer, "completed": integer, "failed": integer]),
                    "metadata": nullable(anyObject), "waiting_reason": string, "line_counts": anyObject,
                    "window": windowRisk,
                ]),
            "BatchList": list("Batch"),
            "RuntimeBatch": object(
                ["model": string, "requests": array(anyObject), "metadata": anyObject], required: ["requests"]),
            "RuntimeBatchAccepted": object(["job_id": string, "status": string, "status_url": string, "results_url": string]),
            "RuntimeBatchStatus": object(["job_id": string, "status": string, "request_counts": anyObject]),
            "RuntimeBatchResults": object(["job_id": string, "status": string, "results": array(anyObject)]),
            "Health": object(["status": string]),
            "Readiness": object(["status": string, "redis": string, "postgres": string]),
            "QueueList": object(["object": string, "data": array(anyObject)]),
            "QueueLimits": object([
                "weights": [
                    "type": "object", "additionalProperties": number(0.01...1_000),
                    "propertyNames": ["pattern": "^(\\*|[^:]+)$", "minLength": 1, "maxLength": 32],
                ],
                "caps": ["type": "object", "additionalProperties": integer(0...1_000_000), "propertyNames": limitSubject],
                "rates": [
                    "type": "object", "propertyNames": limitSubject,
                    "additionalProperties": object(
                        ["count": integer(1...100_000), "interval_ms": integer(1...86_400_000)],
                        required: ["count", "interval_ms"]),
                ],
                "fair": boolean,
            ]),
            "QueuePaused": object(["name": string, "paused": string]),
            "BoxList": object(["object": string, "data": array(anyObject)]),
            "ModeAdviceList": object(["object": string, "data": array(anyObject)]),
            "ModeSwitch": request(["mode": oneOf(["media", "llm", "split"]), "box": string], required: ["mode"]),
            "ModeSwitchAccepted": object([
                "object": string, "id": string, "box": string, "mode": string, "from": nullable(string),
                "status": string, "agent_alive": boolean, "autopilot_paused": boolean,
            ]),
            "AutopilotUpdate": request(
                [
                    "enabled": boolean, "box": string, "min_dwell_seconds": number(AutopilotSetting.dwellRange),
                    "min_gain_seconds": number(AutopilotSetting.gainRange),
                    "confirm_seconds": number(AutopilotSetting.confirmRange), "note": string,
                ], required: ["enabled"]),
            "Autopilot": object([
                "object": string, "box": string, "enabled": boolean, "min_dwell_seconds": number,
                "min_gain_seconds": number, "confirm_seconds": number, "changed_by": string, "changed_at_ms": integer,
                "note": nullable(string), "decision": nullable(oneOf(["hold", "switch"])), "reason": nullable(string),
                "pending_mode": nullable(oneOf(["media", "llm", "split"])), "switches": integer,
            ]),
            "GPUDrainRequest": request(["reason": string]),
            "WebhookSettings": object([
                "object": string, "url": nullable(string), "events": array(string),
                "secrets": array(
                    object(["id": string, "secret": string, "created_at": string, "expires_at": nullable(string)])),
            ]),
            "WebhookSettingsUpdate": object([
                "url": nullable(pattern("^https?://[^\\x00]*$")), "events": nullable(events(WebhookPolicy.tenantEvents)),
            ]),
            "WebhookSecretRotate": request(["overlap_seconds": integer(0...604_800)]),
            "WebhookSecret": object([
                "object": string, "id": string, "secret": string, "previous_secrets_expire_in_seconds": integer,
            ]),
            "WebhookDeliveryList": object(["object": string, "data": array(anyObject)]),
            "GPUDrain": object([
                "object": string, "box": string, "index": integer, "drained": boolean,
                "drain": nullable(
                    object(["requested_by": string, "requested_at_ms": integer, "reason": string, "immediate": boolean])),
                "agent_alive": boolean,
            ]),
        ]
    }
}
