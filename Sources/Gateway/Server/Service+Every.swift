import ServiceLifecycle

extension Service {
    /// Runs `pass` every `interval` until a graceful shutdown or cancellation, which also ends
    /// the wait between passes (a pass already started finishes). A pass that throws is handed
    /// to `failed`, and the next one runs on time.
    func every(
        _ interval: Duration, _ pass: () async throws -> Void, failed: (any Error) -> Void
    ) async {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await pass()
            } catch {
                failed(error)
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }
}
