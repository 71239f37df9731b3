import JobContracts

extension OpenAPIDocument {
    /// The routes of the LLM job kinds beyond chats and batches: QD history and Oracle
    /// synthetic jobs.
    static let llmKinds: [APIOperation] = [
        Op(
            "GET", "/api/crm/qd/{person_id}", "A person's QD scores, newest first, with their evidence", tag: "intel",
            responses: [Op.ok("QDHistory"), Op.status(422, "Bad cursor or limit")],
            query: [QueryParameter.cursor(QueryParameter.uuidPattern), .limit(500, default: 50)],
            pathValues: ["person_id": .length(1...200)]),
        Op(
            "POST", "/api/oracle/component-templates/synthetic-jobs",
            "Generate N examples of a component template, each valid against its JSON Schema", tag: "oracle",
            body: .json("SyntheticJobCreate"),
            responses: [
                Op.status(202, "Accepted", "SyntheticJob"), Op.ok("SyntheticJob", "An Idempotency-Key repeat: the first job"),
                Op.status(400, "Malformed JSON"), Op.status(413, "Body too large"),
                Op.status(
                    422, "Bad template id, schema, count, examples, temperature or completion window; details.field names it"),
            ], takesIdempotencyKey: true),
        Op(
            "GET", "/api/admin-surface/synthetic-jobs", "The tenant's synthetic jobs with counts (valid, retried, failed)",
            tag: "oracle", responses: [Op.ok("SyntheticJobList"), Op.status(422, "Bad cursor or limit")],
            query: [QueryParameter.cursor(QueryParameter.uuidPattern), .limit(100, default: 20)]),
        Op(
            "GET", "/api/admin-surface/synthetic-jobs/{job_id}", "A synthetic job and its progress", tag: "oracle",
            responses: [Op.ok("SyntheticJob"), Op.status(404, "Unknown job, or another tenant's")]),
        Op(
            "GET", "/api/admin-surface/synthetic-jobs/{job_id}/examples",
            "The examples stored so far as JSONL, in line order (readable while the job runs)", tag: "oracle",
            responses: [
                Op.ok("binary", "One {\"line\", \"example\"} object per line", media: "application/x-ndjson"),
                Op.status(404, "Unknown job"),
            ]),
        Op(
            "POST", "/api/admin-surface/synthetic-jobs/{job_id}/cancel",
            "Stop the lines not yet run; the valid examples stay", tag: "oracle",
            responses: [Op.ok("SyntheticJob"), Op.status(404, "Unknown job")]),
    ]

    static var llmKindSchemas: [String: Any] {
        [
            "QDSignalBundle": object([
                "metadata": anyObject, "signal_id": string, "client_ref": string, "source_ref": string,
                "lead_ref": string, "score_type": string, "value": integer, "confidence": number,
                "reasoning_summary": string, "supporting_evidence_refs": array(string),
                "time_window": object(["start_ms": integer, "end_ms": integer]), "scene_ref": nullable(string),
            ]),
            "QDHistory": object([
                "object": string, "person_id": string, "data": array(ref("QDSignalBundle")),
                "next_cursor": nullable(string), "has_more": boolean,
            ]),
            "SyntheticJobCreate": request(
                [
                    "template_id": pattern("^[a-z0-9_-]{1,64}$"), "schema": anyObject,
                    "count": integer(1...OracleSyntheticTemplate.maxCount),
                    "examples": ["type": "array", "items": [String: Any](), "maxItems": 20], "temperature": number(0...2),
                    "completion_window": pattern("^[1-9][0-9]{0,2}h$"),
                ], required: ["template_id", "schema", "count"]),
            "SyntheticJob": object([
                "id": string, "object": string, "template_id": string, "status": string, "count": integer,
                "temperature": number, "few_shot_examples": integer,
                "counts": object([
                    "valid": integer, "retried": integer, "failed": integer, "canceled": integer, "pending": integer,
                ]),
                "created_at": string, "created_by": string, "completion_window": string, "expires_at": string,
                "window": windowRisk, "urls": object(["self": string, "examples": string, "cancel": string]),
            ]),
            "SyntheticJobList": list("SyntheticJob"),
        ]
    }
}
