import Foundation
import PlatformStore
import StructuredOutput

/// The specs of synthetic jobs, read once per job and held a few seconds: thousands of lines
/// share one spec and one compiled schema, and a cancel is seen within `ttl`.
actor SyntheticJobSpecs {
    private struct Entry {
        var job: SyntheticJob
        var schema: OutputSchema
        var read: ContinuousClock.Instant
    }

    let store: SyntheticJobStore
    let ttl: Duration
    private var entries: [String: Entry] = [:]

    init(store: SyntheticJobStore, ttl: Duration = .seconds(5)) {
        self.store = store
        self.ttl = ttl
    }

    /// The job and its compiled schema; a job that is gone or whose schema does not compile
    /// fails the line without retry (the gateway checked the schema, so that is a bug or a
    /// deleted job).
    func spec(_ id: String, mode: OutputSchema.RequestMode) async throws -> (SyntheticJob, OutputSchema) {
        let now = ContinuousClock.now
        if let entry = entries[id], entry.read.duration(to: now) < ttl { return (entry.job, entry.schema) }
        guard let job = try await store.job(id: id) else {
            throw JobError(code: "invalid_payload", message: SyntheticExampleProcessor.notFound(id), retriable: false)
        }
        let schema: OutputSchema
        if let cached = entries[id], cached.job.schema == job.schema {
            schema = cached.schema
        } else {
            do {
                schema = try OutputSchema(name: job.templateID, schema: job.schema, mode: mode)
            } catch {
                throw JobError(code: "invalid_payload", message: "the schema of synthetic job \(id): \(error)", retriable: false)
            }
        }
        if entries.count > 256 { entries.removeAll() }
        entries[id] = Entry(job: job, schema: schema, read: now)
        return (job, schema)
    }
}
