import Foundation

/// A rule of `ops/prometheus/alerts.yml`, evaluated over the dashboard's samples the way
/// Prometheus evaluates it over its scrapes: a condition per label set, which fires once it has
/// held for `holdForMilliseconds` (the rule's `for`) and is pending until then.
struct AlertRule: Sendable {
    typealias Labels = [String: String]

    var name: String
    var severity: String
    var holdForMilliseconds: Int
    /// Relative to the repository, as in the rules file.
    var runbook: String
    /// The label sets whose condition holds at `samples[index]`; earlier samples are there for
    /// increases over a window.
    var condition: @Sendable (_ samples: [DashboardSample], _ index: Int) -> [Labels]
    var summary: @Sendable (Labels) -> String

    /// How much `counter` grew over the `window` ending at `samples[index]`: the sum of its
    /// rises from sample to sample, a fall (Redis lost its data) counting as a restart from
    /// zero, as Prometheus's `increase` counts resets; nil without two samples that have it.
    static func increase(
        _ samples: [DashboardSample], at index: Int, window milliseconds: Int, _ counter: (DashboardSample) -> Int?
    ) -> Int? {
        let start = samples[index].atMilliseconds - milliseconds
        var first = index
        while first > 0, samples[first - 1].atMilliseconds >= start { first -= 1 }
        var previous: Int?
        var total = 0
        var counted = 0
        for sample in samples[first...index] {
            guard let value = counter(sample) else { continue }
            if let previous { total += value >= previous ? value - previous : value }
            previous = value
            counted += 1
        }
        return counted >= 2 ? total : nil
    }
}

/// An alert as the overview shows it.
struct DashboardAlert: Encodable, Equatable {
    var name: String
    var severity: String
    /// `firing` once its condition held for the rule's `for`, `pending` before.
    var state: String
    var summary: String
    var labels: [String: String]
    /// When its condition began to hold without a break, as far back as the history goes.
    var since: String
    var runbook: String

    /// What each of `rules` holds for at `samples[index]`: one set of label sets per rule.
    static func holding(_ rules: [AlertRule], in samples: [DashboardSample], at index: Int) -> [Set<AlertRule.Labels>] {
        rules.map { Set($0.condition(samples, index)) }
    }

    /// The alerts of `rules` over `samples` (oldest first): critical first, then by name.
    static func evaluate(_ rules: [AlertRule], over samples: [DashboardSample]) -> [DashboardAlert] {
        evaluate(
            rules, holdings: samples.indices.map { holding(rules, in: samples, at: $0) }, times: samples.map(\.atMilliseconds))
    }

    /// The alerts of `rules`, given what each held for at each sample (`holdings[sample][rule]`,
    /// computed once per sample as it was taken) and the samples' times, oldest first.
    static func evaluate(_ rules: [AlertRule], holdings: [[Set<AlertRule.Labels>]], times: [Int]) -> [DashboardAlert] {
        guard let now = times.last else { return [] }
        var alerts: [DashboardAlert] = []
        for (number, rule) in rules.enumerated() {
            // Each label set's current run of samples where the condition held: where it began.
            var runs: [AlertRule.Labels: Int] = [:]
            for (index, holding) in holdings.enumerated() {
                runs = runs.filter { holding[number].contains($0.key) }
                for labels in holding[number] where runs[labels] == nil { runs[labels] = index }
            }
            for (labels, start) in runs {
                let held = now - times[start]
                alerts.append(
                    DashboardAlert(
                        name: rule.name, severity: rule.severity, state: held >= rule.holdForMilliseconds ? "firing" : "pending",
                        summary: rule.summary(labels), labels: labels, since: JobView.timestamp(times[start]),
                        runbook: rule.runbook))
            }
        }
        return alerts.sorted {
            ($0.severity == "critical" ? 0 : 1, $0.name, $0.labels.sorted { $0.key < $1.key }.description)
                < ($1.severity == "critical" ? 0 : 1, $1.name, $1.labels.sorted { $0.key < $1.key }.description)
        }
    }
}
