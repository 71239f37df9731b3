import JobContracts
import PlatformStore

extension CRMImportProcessor {
    /// Writes the approved proposals, accounts first, then people, leads and interests, a
    /// chunk per transaction; a resumed commit picks up the proposals not yet committed.
    func commit(_ batch: CRMImportBatch, progress: Progress) async throws -> CRMImportBatch {
        var committed = 0
        for entityType in [CRMProposal.EntityType.account, .person, .lead, .propertyInterest] {
            // Statistics taken before the review or the last type's commit call its statuses rare;
            // a lead's chunk, planned on those, read every approved lead of the batch to take 2,000.
            try await store.analyzeProposals()
            if entityType == .lead || entityType == .propertyInterest {
                try await store.skipOrphans(batchID: batch.id, entityType: entityType)
            }
            var cursor = -1
            while true {
                try Task.checkCancellation()
                let chunk = try await store.commitChunk(
                    batchID: batch.id, entityType: entityType, afterSeq: cursor, limit: commitChunk)
                if chunk.committed == 0 { break }
                cursor = chunk.cursor
                committed += chunk.committed
                try await progress(
                    "commit: \(committed) proposals written (\(entityType.rawValue))", nil,
                    "commit:\(entityType.rawValue)")
            }
        }
        _ = try await store.finishCommit(batchID: batch.id)
        guard let updated = try await store.batch(id: batch.id) else {
            throw JobError(code: "batch_not_found", message: "batch \(batch.id) vanished", retriable: false)
        }
        logger.info("crm import \(batch.id): committed \(committed) proposals, batch \(updated.status.rawValue)")
        return updated
    }
}
