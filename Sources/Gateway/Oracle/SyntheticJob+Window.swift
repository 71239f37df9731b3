import PlatformStore

extension SyntheticJob {
    /// Its window's standing with `ended` of its lines over, of `total` known (`BatchWindow`);
    /// nil for a job stored before windows existed.
    func window(ended: Int, total: Int = 0, now: Double) -> BatchWindow? {
        guard let expires = expiresMilliseconds else { return nil }
        return BatchWindow.assess(
            total: max(count, total), ended: ended, startedAt: Double(createdMilliseconds) / 1000,
            expiresAt: Double(expires) / 1000, now: now, promoted: promotedMilliseconds != nil)
    }
}
