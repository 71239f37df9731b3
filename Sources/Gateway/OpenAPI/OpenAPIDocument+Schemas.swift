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
    static func nullable(_ schema: [String: Any]) -> [String: Any] { ["anyOf": [schema, ["type": "null"]]] }
    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    static func array(_ items: [String: Any]) -> [String: Any] { ["type": "array", "items": items] }
    static func list(_ item: String) -> [String: Any] {
        object(["object": string, "data": array(ref(item)), "next_cursor": nullable(string), "has_more": boolean])
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
            "JobSubmit": object(
                [
                    "kind": string, "payload": anyObject, "priority": integer, "max_attempts": integer,
                    "delay_ms": integer, "idempotency_key": string,
                    "timeouts": object(["wait_ms": integer, "run_ms": integer, "heartbeat_ms": integer]),
                    "backoff": object(["base_ms": integer, "max_ms": integer]),
                    "webhook_url": string, "webhook_events": array(string), "concurrency_key": string,
                ], required: ["kind"]),
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
            "BatchCreate": object(
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
                    "metadata": nullable(anyObject), "waiting_reason": string,
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
                "weights": ["type": "object", "additionalProperties": number],
                "caps": ["type": "object", "additionalProperties": integer],
                "rates": [
                    "type": "object",
                    "additionalProperties": object(
                        ["count": integer, "interval_ms": integer], required: ["count", "interval_ms"]),
                ],
                "fair": boolean,
            ]),
            "QueuePaused": object(["name": string, "paused": string]),
            "BoxList": object(["object": string, "data": array(anyObject)]),
            "ModeSwitch": object(["mode": string, "box": string], required: ["mode"]),
            "ModeSwitchAccepted": object([
                "object": string, "id": string, "box": string, "mode": string, "from": nullable(string),
                "status": string, "agent_alive": boolean,
            ]),
            "GPUDrainRequest": object(["reason": string]),
            "WebhookSettings": object([
                "object": string, "url": nullable(string), "events": array(string),
                "secrets": array(
                    object(["id": string, "secret": string, "created_at": string, "expires_at": nullable(string)])),
            ]),
            "WebhookSettingsUpdate": object(["url": nullable(string), "events": array(string)]),
            "WebhookSecretRotate": object(["overlap_seconds": integer]),
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
