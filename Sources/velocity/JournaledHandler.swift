import Broker
import Workers

/// A handler whose attempts are written to an `AttemptJournal`.
struct JournaledHandler: JobHandler {
    let inner: any JobHandler
    let journal: AttemptJournal
    let worker: String

    func handle(_ job: ClaimedJob, context: JobContext) async throws -> String? {
        journal.record("start", job: job, worker: worker)
        do {
            let result = try await inner.handle(job, context: context)
            journal.record("end", job: job, worker: worker, outcome: "ok")
            return result
        } catch let error as JobError {
            journal.record("end", job: job, worker: worker, outcome: error.code.rawValue)
            throw error
        } catch {
            journal.record("end", job: job, worker: worker, outcome: "error")
            throw error
        }
    }
}
