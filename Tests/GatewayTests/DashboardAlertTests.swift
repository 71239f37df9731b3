import Foundation
import GPUBox
import Testing

@testable import Broker
@testable import Gateway

/// The dashboard's alerts: the rules of ops/prometheus/alerts.yml, evaluated over samples.
@Suite("Dashboard alerts and series")
struct DashboardAlertTests {
    static func depth(
        _ queue: String, queued: Int = 0, oldest: Int = 0, paused: Bool = false, succeeded: Int = 0, failed: Int = 0,
        dead: Int = 0, retried: Int = 0, enqueued: Int = 0, recovered: Int = 0
    ) -> QueueDepth {
        QueueDepth(
            queue: queue, queued: queued, scheduled: 0, active: 0, dead: dead, finished: 0, oldestQueuedMilliseconds: oldest,
            paused: paused, enqueuedTotal: enqueued, succeededTotal: succeeded, failedTotal: failed, canceledTotal: 0,
            retriedTotal: retried, recoveredTotal: recovered, deadTotal: dead)
    }

    static func box(
        _ name: String = "box-1", alive: Bool = true, mode: BoxMode? = .media, switching: Bool = false,
        unhealthy: [Int] = [], restarts: [String: Int] = [:], heartbeatAge: Int = 500
    ) -> DashboardSample.Box {
        DashboardSample.Box(
            box: name, alive: alive, heartbeatAgeMilliseconds: heartbeatAge, mode: mode, switching: switching,
            unhealthyGPUs: unhealthy, restarts: restarts)
    }

    /// Samples every 10 s from t = 0 for `seconds`, each made by `make(second)`.
    static func samples(
        for seconds: Int, every step: Int = 10, _ make: (Int) -> ([QueueDepth], [DashboardSample.Box])
    ) -> [DashboardSample] {
        stride(from: 0, through: seconds, by: step).map { second in
            let (queues, boxes) = make(second)
            return DashboardSample(atMilliseconds: 1_800_000_000_000 + second * 1000, queues: queues, boxes: boxes)
        }
    }

    static func alerts(_ samples: [DashboardSample]) -> [String: String] {
        DashboardAlert.evaluate(AlertRule.dashboardRules, over: samples).reduce(into: [:]) {
            $0[$1.name + ($1.labels.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined())] = $1.state
        }
    }

    @Test("every dashboard rule is a rule of alerts.yml with the same severity, for and runbook")
    func rulesMatchTheRulesFile() throws {
        let document = try OpsYAML.parse(try OpsMetricNamesTests.text("ops/prometheus/alerts.yml"))
        var file: [String: (severity: String?, holdFor: String?, runbook: String?)] = [:]
        for group in document["groups"]?.items ?? [] {
            for rule in group["rules"]?.items ?? [] {
                guard let name = rule["alert"]?.string else { continue }
                file[name] = (
                    rule["labels"]?["severity"]?.string, rule["for"]?.string, rule["annotations"]?["runbook_url"]?.string
                )
            }
        }
        #expect(AlertRule.dashboardRules.count == 13)
        for rule in AlertRule.dashboardRules {
            let entry = try #require(file[rule.name], "\(rule.name) is not in alerts.yml")
            #expect(entry.severity == rule.severity, "\(rule.name)")
            #expect(entry.runbook == rule.runbook, "\(rule.name)")
            let holdFor = try #require(entry.holdFor)
            let minutes = try #require(Int(holdFor.dropLast()), "\(rule.name): for \(holdFor)")
            #expect(holdFor.hasSuffix("m") && minutes * 60_000 == rule.holdForMilliseconds, "\(rule.name)")
        }
    }

    @Test("a dead job is pending at once and fires after its minute; it clears 15 minutes later")
    func deadJobs() {
        let history = Self.samples(for: 120) { second in ([Self.depth("media", dead: second >= 30 ? 1 : 0)], [Self.box()]) }
        #expect(Self.alerts(Array(history.prefix(4)))["VelocityDeadJobs queue=media"] == "pending")  // t = 30
        #expect(Self.alerts(Array(history.prefix(9)))["VelocityDeadJobs queue=media"] == "pending")  // t = 80: 50 s
        #expect(Self.alerts(Array(history.prefix(10)))["VelocityDeadJobs queue=media"] == "firing")  // t = 90: 60 s
        let later = Self.samples(for: 1_200) { second in ([Self.depth("media", dead: second >= 30 ? 1 : 0)], [Self.box()]) }
        #expect(Self.alerts(later)["VelocityDeadJobs queue=media"] == nil)
    }

    @Test("an old job alerts after the queue's patience unless the queue is paused; paused alerts on its own")
    func oldestJobAndPause() {
        let waiting = Self.samples(for: 360) { _ in ([Self.depth("media", queued: 1, oldest: 400_000)], [Self.box()]) }
        #expect(Self.alerts(waiting)["VelocityOldestJobTooOld queue=media"] == "firing")
        let patientQueue = Self.samples(for: 360) { _ in ([Self.depth("llm", queued: 1, oldest: 400_000)], [Self.box(mode: .llm)])
        }
        #expect(Self.alerts(patientQueue)["VelocityOldestJobTooOld queue=llm"] == nil)
        let paused = Self.samples(for: 360) { _ in ([Self.depth("media", queued: 1, oldest: 400_000, paused: true)], [Self.box()])
        }
        let alerts = Self.alerts(paused)
        #expect(alerts["VelocityOldestJobTooOld queue=media"] == nil)
        #expect(alerts["VelocityQueuePausedTooLong queue=media"] == "pending")
    }

    @Test("queued work no live box serves alerts; a box in split mode or a dead box change that")
    func withoutCapacity() {
        func run(_ box: DashboardSample.Box) -> String? {
            Self.alerts(Self.samples(for: 600) { _ in ([Self.depth("llm", queued: 3)], [box]) })[
                "VelocityQueueWithoutCapacity queue=llm"]
        }
        #expect(run(Self.box(mode: .media)) == "firing")
        #expect(run(Self.box(mode: .split)) == nil)
        #expect(run(Self.box(alive: false, mode: .llm)) == "firing")
    }

    @Test("failure and retry ratios use 15-minute increases; a counter reset counts from zero")
    func ratios() {
        // 20 % of the jobs that ended fail, for 16 minutes.
        let failing = Self.samples(for: 960) { second in ([Self.depth("cpu", succeeded: second * 4, failed: second)], []) }
        #expect(Self.alerts(failing)["VelocityJobFailuresHigh queue=cpu"] == "firing")
        let healthy = Self.samples(for: 960) { second in ([Self.depth("cpu", succeeded: second * 100, failed: second)], []) }
        #expect(Self.alerts(healthy)["VelocityJobFailuresHigh queue=cpu"] == nil)
        // Redis lost its data at t = 100: the counter fell from 1,000 to 4, which is 4 more, not -996.
        let reset = Self.samples(for: 200) { second in
            ([Self.depth("cpu", recovered: second < 100 ? 1_000 : second == 100 ? 0 : 4)], [])
        }
        #expect(AlertRule.increase(reset, at: reset.count - 1, window: 900_000) { $0.queue("cpu")?.recoveredTotal } == 4)
        #expect(Self.alerts(reset)["VelocityLeaseRecoveriesRising queue=cpu"] == "pending")
        // Growth on both sides of a reset counts: 10 → 20 → (reset) 5 → 8 grew by 10 + 5 + 3.
        let values = [10, 20, 5, 8]
        let both = Self.samples(for: 30) { second in ([Self.depth("cpu", recovered: values[second / 10])], []) }
        #expect(AlertRule.increase(both, at: 3, window: 900_000) { $0.queue("cpu")?.recoveredTotal } == 18)
    }

    @Test("box rules: agent down, unhealthy GPU unless switching, restarting backend, no mode")
    func boxes() {
        let down = Self.samples(for: 130) { _ in ([], [Self.box(alive: false)]) }
        #expect(Self.alerts(down)["VelocityAgentDown box=box-1"] == "firing")
        let unhealthy = Self.samples(for: 300) { _ in ([], [Self.box(unhealthy: [2])]) }
        #expect(Self.alerts(unhealthy)["VelocityGPUUnhealthy box=box-1 gpu=2"] == "firing")
        let switching = Self.samples(for: 300) { _ in ([], [Self.box(switching: true, unhealthy: [2])]) }
        #expect(Self.alerts(switching)["VelocityGPUUnhealthy box=box-1 gpu=2"] == nil)
        let restarting = Self.samples(for: 300) { second in ([], [Self.box(restarts: ["comfyui@1": second / 30])]) }
        #expect(Self.alerts(restarting)["VelocityBackendRestarting backend=comfyui@1 box=box-1"] == "pending")
        let halted = Self.samples(for: 300) { _ in ([], [Self.box(mode: nil)]) }
        #expect(Self.alerts(halted)["VelocityBoxWithoutMode box=box-1"] == "firing")
        #expect(Self.alerts(Self.samples(for: 300) { _ in ([], [Self.box()]) }).isEmpty)
    }

    @Test("a queue's series: depths per sample and per-second rates between samples, none across a reset")
    func series() {
        let history = Self.samples(for: 30) { second in
            (
                [
                    Self.depth(
                        "media", queued: second, succeeded: second == 30 ? 0 : second * 2, failed: second / 10,
                        enqueued: second * 3)
                ], []
            )
        }
        let points = QueueSeriesPoint.series(of: "media", in: history)
        #expect(points.map(\.queued) == [0, 10, 20, 30])
        #expect(points[0].completed_per_s == nil)
        #expect(points[1].completed_per_s == 2 && points[1].enqueued_per_s == 3 && points[1].failed_per_s == 0.1)
        #expect(points[3].completed_per_s == nil)  // the counter went down: no rate
        #expect(QueueSeriesPoint.series(of: "llm", in: history).isEmpty)
    }

    @Test("the history checks each sample once as it is added, and alerts as a full evaluation would")
    func historyEvaluatesOnce() {
        let taken = Self.samples(for: 1_000) { second in
            (
                [Self.depth("media", queued: 1, oldest: 400_000, dead: second >= 500 ? 1 : 0)],
                [Self.box(mode: .llm, unhealthy: second >= 700 ? [1] : [])]
            )
        }
        let history = DashboardHistory(intervalMilliseconds: 10_000)
        for sample in taken.dropLast() { history.append(sample) }
        let (samples, alerts) = history.withPresent(taken.last!)
        #expect(samples == taken)
        #expect(alerts == DashboardAlert.evaluate(AlertRule.dashboardRules, over: taken))
        #expect(
            Set(alerts.map(\.name)) == [
                "VelocityOldestJobTooOld", "VelocityQueueWithoutCapacity", "VelocityGPUUnhealthy", "VelocityDeadJobs",
            ])
    }

    @Test("the history keeps the last hour of samples and refuses one older than its newest")
    func historyCap() {
        let history = DashboardHistory(intervalMilliseconds: 10_000)
        #expect(history.capacity == 361)
        for sample in Self.samples(for: 4_000) { _ in ([], []) } { history.append(sample) }
        #expect(history.all.count == 361)
        #expect(history.all.last?.atMilliseconds == 1_800_000_000_000 + 4_000_000)
        history.append(DashboardSample(atMilliseconds: 0, queues: [], boxes: []))
        #expect(history.all.last?.atMilliseconds == 1_800_000_000_000 + 4_000_000)
    }
}
