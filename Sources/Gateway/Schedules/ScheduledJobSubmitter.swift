import Broker
import Foundation
import Producer
import Schedules
import VelocityTypes

/// Makes schedules' jobs through the gateway's own submit path: a schedule's `job` is the
/// body `POST /v1/jobs` takes, checked the same way (kind, payload contract, limits, webhook)
/// when the schedule is made or edited, and again at each tick.
struct ScheduledJobSubmitter: ScheduledJobs {
    let producer: JobProducer
    let directory: JobDirectory
    let webhooks: WebhookPolicy

    /// The submission `job` makes for `tenant`, or a 422 naming the field under `job.`.
    /// At a tick (`jobID` given) the webhook URL is not resolved again: see `WebhookPolicy.webhook`.
    func prepare(_ job: JSONValue, tenant: String, actor: String, jobID: String? = nil) async throws -> JobSubmission {
        guard case .object(let fields) = job else { throw GatewayError.invalid(field: "job", "must be an object") }
        if fields["idempotency_key"] != nil {
            throw GatewayError.invalid(
                field: "job.idempotency_key", "a schedule's job cannot have one: every tick would be the same job")
        }
        let body: JobSubmitRequest
        do {
            body = try JSONDecoder().decode(JobSubmitRequest.self, from: Data(job.jsonText.utf8))
        } catch let error as DecodingError {
            throw Self.underJob(ErrorMiddleware<GatewayContext>.map(error))
        }
        let principal = Principal(tenant: tenant, subject: actor, role: .submitter)
        var request = body.jobRequest(principal: principal, idempotencyKey: nil)
        request.id = jobID
        do {
            request.webhook = try await webhooks.webhook(
                url: body.webhook_url, events: body.webhook_events, tenant: tenant, resolving: jobID == nil)
            return try producer.prepare(request)
        } catch let error as BrokerError where error.code == .invalidJob {
            throw Self.underJob(ErrorMiddleware<GatewayContext>.map(error))
        } catch let error as GatewayError where error.status == .unprocessableContent {
            throw Self.underJob(error)
        }
    }

    /// The refusal of a job's field as the refusal of the schedule's `job.` field.
    static func underJob(_ error: GatewayError) -> GatewayError {
        guard error.status == .unprocessableContent else { return error }
        var moved = error
        let field = error.details["field"].flatMap { $0.isEmpty || $0 == "body" ? nil : $0 }
        moved.details["field"] = field.map { "job.\($0)" } ?? "job"
        if let field, error.message.hasPrefix("\(field): ") {
            moved.message = "job.\(field): " + error.message.dropFirst(field.count + 2)
        } else {
            moved.message = "job: " + error.message
        }
        return moved
    }

    func submit(_ schedule: Schedule, tick: Int64, jobID: String) async throws {
        let submission: JobSubmission
        do {
            submission = try await prepare(schedule.job, tenant: schedule.tenant, actor: schedule.createdBy, jobID: jobID)
        } catch let error as GatewayError where error.status == .unprocessableContent {
            throw ScheduleError(.scheduledJobRefused, error.message, cause: error)
        }
        _ = try await producer.submit(submission)
    }

    func isOpen(jobID: String) async throws -> Bool {
        if let live = try await directory.broker.job(id: jobID, queues: directory.queues) { return !live.state.isTerminal }
        guard let record = try await directory.records.job(id: jobID) else { return false }
        return !record.state.isTerminal
    }
}
