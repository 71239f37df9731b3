import Foundation
import Hummingbird
import Schedules

/// `/v1/schedules`: recurring jobs of the caller's tenant. Make (`POST`), list, read, edit
/// (`PATCH`: pause and resume too), delete, and the runs: each decided tick with the job it
/// made. Another tenant's schedule is a 404. The job template is checked as a submit is,
/// when the schedule is made or edited and again at every tick.
struct SchedulesController: Sendable {
    let store: ScheduleStore
    let jobs: ScheduledJobSubmitter

    func addRoutes(to router: Router<GatewayContext>) {
        router.post("/v1/schedules", use: create)
        router.get("/v1/schedules", use: list)
        router.get("/v1/schedules/{id}", use: get)
        router.patch("/v1/schedules/{id}", use: edit)
        router.delete("/v1/schedules/{id}", use: delete)
        router.get("/v1/schedules/{id}/runs", use: runs)
    }

    @Sendable func create(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.submitter)
        let draft = try await JSONResponse.decode(ScheduleRequest.self, from: request, context: context).draft()
        try await check(draft, principal: principal)
        let schedule = try await store.create(draft, tenant: principal.tenant, by: principal.subject)
        return try JSONResponse.make(
            ScheduleView(schedule), status: .created, headers: [.location: "/v1/schedules/\(schedule.id)"])
    }

    struct Page: Encodable {
        var object = "list"
        var data: [ScheduleView]
        var next_cursor: String?
        var has_more: Bool
    }

    @Sendable func list(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let limit = try PageQuery.limit(request, default: 50, max: 200)
        let cursor = request.uri.queryParameters["cursor"].map(String.init)
        if let cursor, !Self.isScheduleID(cursor) { throw GatewayError.invalid(field: "cursor", "is not a schedule id") }
        let page = try await store.list(tenant: principal.tenant, after: cursor, limit: limit + 1)
        let shown = page.prefix(limit)
        return try JSONResponse.make(
            Page(
                data: shown.map(ScheduleView.init), next_cursor: page.count > limit ? shown.last?.id : nil,
                has_more: page.count > limit))
    }

    @Sendable func get(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try JSONResponse.make(ScheduleView(try await schedule(request, context: context, principal: principal)))
    }

    @Sendable func edit(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.submitter)
        let changes = try await JSONResponse.decode(ScheduleRequest.self, from: request, context: context)
        let current = try await schedule(request, context: context, principal: principal)
        let draft = try changes.edit(ScheduleStore.Draft(current))
        try await check(draft, principal: principal)
        return try JSONResponse.make(ScheduleView(try await store.update(current, to: draft)))
    }

    @Sendable func delete(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.submitter)
        let id = try context.parameter("id")
        guard Self.isScheduleID(id), try await store.delete(id: id, tenant: principal.tenant) else {
            throw GatewayError.notFound("schedule")
        }
        return Response(status: .noContent)
    }

    struct RunsPage: Encodable {
        var object = "list"
        var data: [ScheduleRunView]
        /// The tick (Unix seconds) to pass as `cursor` for older runs.
        var next_cursor: String?
        var has_more: Bool
    }

    /// The schedule's decided ticks, latest first; `cursor` is a tick in Unix seconds.
    @Sendable func runs(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let schedule = try await schedule(request, context: context, principal: principal)
        let limit = try PageQuery.limit(request, default: 50, max: 500)
        var cursor: Int64?
        if let raw = request.uri.queryParameters["cursor"] {
            guard let tick = Int64(raw), tick > 0 else {
                throw GatewayError.invalid(field: "cursor", "is not a tick (Unix seconds)")
            }
            cursor = tick
        }
        let page = try await store.runs(scheduleID: schedule.id, before: cursor, limit: limit + 1)
        let shown = page.prefix(limit)
        return try JSONResponse.make(
            RunsPage(
                data: shown.map(ScheduleRunView.init), next_cursor: page.count > limit ? shown.last.map { String($0.tick) } : nil,
                has_more: page.count > limit))
    }

    /// The schedule named by the path, if the caller's tenant has it.
    func schedule(_ request: Request, context: GatewayContext, principal: Principal) async throws -> Schedule {
        let id = try context.parameter("id")
        guard Self.isScheduleID(id), let schedule = try await store.schedule(id: id, tenant: principal.tenant) else {
            throw GatewayError.notFound("schedule")
        }
        return schedule
    }

    /// The expression, the zone and the job, each refused by name before anything is stored.
    func check(_ draft: ScheduleStore.Draft, principal: Principal) async throws {
        _ = try CronSchedule(cron: draft.cron, timeZone: draft.timeZone)
        _ = try await jobs.prepare(draft.job, tenant: principal.tenant, actor: principal.subject)
    }

    static func isScheduleID(_ text: String) -> Bool {
        // Bytes, as the document's pattern reads them: no fullwidth digits, no combined characters.
        text.utf8.count == 36 && text.hasPrefix("sch_")
            && text.utf8.dropFirst(4).allSatisfy {
                (0x30...0x39).contains($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0)
            }
    }
}
