extension OpenAPIDocument {
    static let scheduleRoutes: [APIOperation] = [
        Op(
            "POST", "/v1/schedules",
            "Make a schedule: a cron expression (seconds optional) in an IANA time zone, the job each tick submits",
            tag: "schedules", body: .json("ScheduleCreate"),
            responses: [
                Op.status(201, "Made", "Schedule"), Op.status(400, "Malformed JSON"),
                Op.status(409, "Name in use, or the tenant has 1,000 schedules"),
                Op.status(422, "Bad cron, time_zone, overlap or missed; job.<field> names a refused job field"),
            ]),
        Op(
            "GET", "/v1/schedules", "The tenant's schedules", tag: "schedules",
            responses: [Op.ok("ScheduleList"), Op.status(422, "Bad cursor or limit")],
            query: [.cursor("^sch_[0-9a-fA-F]{32}$"), .limit(200, default: 50)]),
        Op(
            "GET", "/v1/schedules/{id}", "A schedule with its next run, in UTC and on its own clock", tag: "schedules",
            responses: [Op.ok("Schedule"), Op.status(404, "Unknown schedule, or another tenant's")]),
        Op(
            "PATCH", "/v1/schedules/{id}",
            "Edit a schedule (absent fields keep their value); paused: true/false pauses and resumes from now",
            tag: "schedules", body: .json("ScheduleEdit"),
            responses: [
                Op.ok("Schedule"), Op.status(404, "Unknown schedule"), Op.status(409, "Edited meanwhile; read it again"),
                Op.status(422, "Bad field"),
            ]),
        Op(
            "DELETE", "/v1/schedules/{id}", "Delete a schedule and its run history (its jobs stay)", tag: "schedules",
            responses: [Op.status(204, "Deleted", nil), Op.status(404, "Unknown schedule")]),
        Op(
            "GET", "/v1/schedules/{id}/runs", "A schedule's decided ticks, latest first, each with the job it made",
            tag: "schedules", responses: [Op.ok("ScheduleRunList"), Op.status(404, "Unknown schedule")],
            query: [
                QueryParameter(
                    "cursor", "next_cursor of the previous page (a tick, Unix seconds)",
                    .integer(1...Int(Int64.max), defaultValue: nil)),
                .limit(500, default: 50),
            ]),
    ]

    static var scheduleFields: [String: Any] {
        [
            "name": pattern("^[A-Za-z0-9._-]{1,100}$"), "cron": string, "time_zone": string, "job": ref("JobSubmit"),
            "overlap": oneOf(["skip", "allow"]), "missed": oneOf(["skip", "run_once"]), "paused": boolean,
        ]
    }

    static var scheduleSchemas: [String: Any] {
        [
            "ScheduleCreate": request(scheduleFields, required: ["cron", "job"]),
            "ScheduleEdit": request(scheduleFields),
            "Schedule": object(
                [
                    "object": string, "id": string, "name": nullable(string), "cron": string, "time_zone": string,
                    "job": ref("JobSubmit"), "overlap": string, "missed": string, "paused": boolean, "revision": integer,
                    "next_run_at": nullable(string), "next_run_local": nullable(string), "last_tick_at": nullable(string),
                    "last_job_id": nullable(string), "created_by": string, "created_at": string, "updated_at": string,
                    "urls": object(["get": string, "runs": string]),
                ], required: ["id", "cron", "time_zone", "job"]),
            "ScheduleList": list("Schedule"),
            "ScheduleRun": object([
                "object": string, "tick_at": string,
                "decision": ["type": "string", "enum": ["run", "skipped_overlap", "missed"]],
                "job_id": nullable(string), "job_url": nullable(string), "missed": integer, "decided_at": string,
                "decided_by": string, "submitted_at": nullable(string), "error": nullable(string),
            ]),
            "ScheduleRunList": list("ScheduleRun"),
        ]
    }
}
