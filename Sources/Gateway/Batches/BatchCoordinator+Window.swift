import Foundation

extension BatchCoordinator {
    /// Promotes the batch's open lines out of the backfill band when at its pace it would not
    /// finish well inside its window (`BatchWindow`), and up a deadline class each time the time
    /// left halves after that.
    func promoteIfLate(_ batch: BatchStore.StoredBatch, ended: Int, now: Double = Date().timeIntervalSince1970) async throws {
        guard let expiresAt = batch.expiresAt else { return }
        let window = BatchWindow.assess(
            total: batch.total, ended: ended, startedAt: Double(batch.inProgressAt ?? batch.createdAt),
            expiresAt: Double(expiresAt), now: now, promoted: batch.promotedAt != nil)
        guard
            let priority = window.promotion(
                secondsLeft: Double(expiresAt) - now, promoted: batch.promotedAt != nil, promotedTo: batch.promotedPriority)
        else { return }
        let promoted = try await ChildJobPromoter(records: records, broker: broker).promoteOpen(
            parentBatch: batch.id, priority: priority)
        // Recorded after the lines moved: a crash in between promotes them again, which changes nothing.
        try await store.markPromoted(id: batch.id, priority: priority)
        let ratio = window.ratio.map { String(format: "%.2f", $0) } ?? "no pace yet"
        logger.notice(
            "batch window nears: \(promoted) open lines promoted to priority \(priority)",
            metadata: [
                "batch": "\(batch.id)", "ended": "\(ended)", "total": "\(batch.total)", "risk": "\(window.risk.rawValue)",
                "ratio": "\(ratio)", "expires_at": "\(expiresAt)",
            ])
    }
}
