import Schedules
import VelocityTypes

/// The body of `POST /v1/schedules`, and of `PATCH /v1/schedules/{id}` where every field is
/// optional and an absent one keeps its value.
struct ScheduleRequest: Decodable, Sendable {
    var name: String?
    var cron: String?
    var time_zone: String?
    /// The job each tick submits: the body `POST /v1/jobs` takes, without `idempotency_key`.
    var job: JSONValue?
    /// `skip` (default) or `allow`.
    var overlap: String?
    /// `skip` (default) or `run_once`.
    var missed: String?
    var paused: Bool?

    /// A new schedule's fields; `cron` and `job` are required.
    func draft() throws -> ScheduleStore.Draft {
        guard let cron else { throw GatewayError.invalid(field: "cron", "is required") }
        guard let job else { throw GatewayError.invalid(field: "job", "is required") }
        return try edit(
            ScheduleStore.Draft(name: nil, cron: cron, timeZone: "UTC", job: job, overlap: .skip, missed: .skip))
    }

    /// `draft` with the fields this request sets.
    func edit(_ draft: ScheduleStore.Draft) throws -> ScheduleStore.Draft {
        var edited = draft
        if let name {
            guard (1...100).contains(name.count),
                name.unicodeScalars.allSatisfy({
                    $0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)
                })
            else {
                throw GatewayError.invalid(field: "name", "must be 1-100 letters, digits, '.', '_' or '-'")
            }
            edited.name = name
        }
        if let cron { edited.cron = cron }
        if let time_zone { edited.timeZone = time_zone }
        if let job { edited.job = job }
        if let overlap {
            guard let policy = OverlapPolicy(rawValue: overlap) else {
                throw GatewayError.invalid(field: "overlap", "must be one of skip, allow")
            }
            edited.overlap = policy
        }
        if let missed {
            guard let policy = MissedTickPolicy(rawValue: missed) else {
                throw GatewayError.invalid(field: "missed", "must be one of skip, run_once")
            }
            edited.missed = policy
        }
        if let paused { edited.paused = paused }
        return edited
    }
}
