extension OpenAPIDocument {
    static let dashboardRoutes: [APIOperation] = [
        Op(
            "GET", "/", "The dashboard's page (HTML; it signs in with an API key or JWT kept for the browser session)",
            tag: "dashboard", responses: [Op.ok("binary", "The page", media: "text/html")], isPublic: true),
        Op(
            "GET", "/dashboard", "The dashboard's page", tag: "dashboard",
            responses: [Op.ok("binary", "The page", media: "text/html")], isPublic: true),
        Op(
            "GET", "/dashboard/**", "The dashboard's files (CSS, JavaScript modules); any other path is the page",
            tag: "dashboard",
            responses: [
                Op.ok(
                    "binary", "A file, typed by its extension (HTML, CSS, JavaScript, SVG…); the page for any other path",
                    media: "*/*"),
                Op.status(404, "No such file"),
            ],
            isPublic: true),
        Op("GET", "/v1/me", "Who the caller is: tenant, subject and role", tag: "dashboard", responses: [Op.ok("Me")]),
        Op(
            "GET", "/v1/dashboard/overview",
            "Queues with their last hour sampled, GPU boxes, dead letters and the alerts of ops/prometheus/alerts.yml",
            tag: "dashboard", responses: [Op.ok("DashboardOverview")]),
    ]

    static var dashboardSchemas: [String: Any] {
        [
            "Me": object(
                [
                    "tenant": string, "subject": string,
                    "role": ["type": "string", "enum": ["submitter", "reviewer", "operator", "admin"]],
                ],
                required: ["tenant", "subject", "role"]),
            "DashboardOverview": object(
                [
                    "interval_ms": integer,
                    "queues": array(
                        object([
                            "name": string, "paused": boolean, "depth": anyObject, "oldest_waiting_ms": integer,
                            "series": array(
                                object([
                                    "t": integer, "queued": integer, "scheduled": integer, "active": integer, "dead": integer,
                                    "oldest_waiting_ms": integer, "enqueued_per_s": nullable(number),
                                    "completed_per_s": nullable(number), "failed_per_s": nullable(number),
                                ])),
                        ])),
                    "alerts": array(
                        object([
                            "name": string, "severity": string, "state": ["type": "string", "enum": ["firing", "pending"]],
                            "summary": string, "labels": anyObject, "since": string, "runbook": string,
                        ])),
                    "boxes": array(anyObject), "dead_total": integer,
                ], required: ["queues", "alerts", "boxes", "dead_total"]),
        ]
    }
}
