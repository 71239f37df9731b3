public import Logging
public import ServiceLifecycle

/// Runs `JobReconciler` with repair on a fixed interval, for as long as the service group runs.
public struct JobReconcilerService: Service {
    let reconciler: JobReconciler
    let interval: Duration
    let logger: Logger

    public init(reconciler: JobReconciler, interval: Duration = .seconds(60), logger: Logger) {
        self.reconciler = reconciler
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let report = try await reconciler.run(repair: true)
                    if let problem = report.settingsError {
                        logger.error("reconcile could not restore queue settings: \(problem)")
                    }
                    if !report.settingsDrift.isEmpty {
                        logger.warning(
                            "reconciled: applied the recorded limits and pause of queues \(report.settingsDrift.joined(separator: ", ")) again"
                        )
                    }
                    if !report.missingFromBroker.isEmpty || !report.endedInBroker.isEmpty {
                        logger.warning(
                            "reconciled: restored \(report.missingFromBroker.count) jobs to Redis, wrote \(report.endedInBroker.count) terminal states to Postgres"
                        )
                    }
                } catch {
                    logger.error("reconcile failed: \(error)")
                }
                do { try await Task.sleep(for: interval) } catch { return }
            }
        }
    }
}
