import Broker
import Foundation
import GPUBox
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import Gateway

/// The operations kit (ops/) against the code: the alert rules and the dashboard may only use
/// metric names the gateway exports, the gateway exports exactly `GatewayMetrics.names`, every
/// alert points at a runbook that exists, and the gateway's example configuration applies.
@Suite("ops/: alert rules, dashboard and configuration agree with the code")
struct OpsMetricNamesTests {
    /// The exported histograms, whose series carry `_bucket`, `_sum` and `_count` suffixes; the
    /// live test checks this against the `# TYPE` lines of a real /metrics.
    static let histograms: Set<String> = [
        "velocity_job_duration_seconds", "velocity_http_request_duration_seconds", "velocity_schedule_tick_delay_seconds",
    ]

    static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return url
    }()

    static func text(_ path: String) throws -> String {
        try String(contentsOf: repositoryRoot.appendingPathComponent(path), encoding: .utf8)
    }

    /// Metric names in PromQL text: `velocity_…` tokens, a histogram's series suffix removed.
    static func referencedNames(in text: String) -> Set<String> {
        var names: Set<String> = []
        var rest = Substring(text)
        while let start = rest.range(of: "velocity_") {
            let before = rest[..<start.lowerBound].last
            let token = rest[start.lowerBound...].prefix { $0.isLowercase || $0 == "_" || $0.isNumber }
            rest = rest[token.endIndex...]
            // Part of a longer identifier (e.g. `my_velocity_x`) is not a reference.
            if let before, before.isLetter || before.isNumber || before == "_" { continue }
            var name = String(token)
            for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
                let base = String(name.dropLast(suffix.count))
                if histograms.contains(base) { name = base }
            }
            names.insert(name)
        }
        return names
    }

    /// The referenced names the gateway does not export, sorted.
    static func unexported(in text: String) -> [String] {
        referencedNames(in: text).subtracting(GatewayMetrics.names).sorted()
    }

    static func alertRules() throws -> [OpsYAML.Node] {
        let document = try OpsYAML.parse(try text("ops/prometheus/alerts.yml"))
        let groups = try #require(document["groups"]?.items, "alerts.yml has no groups")
        return try groups.flatMap { group in try #require(group["rules"]?.items, "a group without rules") }
    }

    static func dashboard() throws -> [String: Any] {
        let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("ops/grafana/velocity-dashboard.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Every PromQL query of the dashboard: panel targets and template variable queries.
    static func dashboardQueries(_ dashboard: [String: Any]) -> [String] {
        var queries: [String] = []
        for panel in dashboard["panels"] as? [[String: Any]] ?? [] {
            for target in panel["targets"] as? [[String: Any]] ?? [] {
                if let expr = target["expr"] as? String { queries.append(expr) }
            }
        }
        let variables = (dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
        for variable in variables {
            if let definition = variable["definition"] as? String { queries.append(definition) }
            if let query = (variable["query"] as? [String: Any])?["query"] as? String { queries.append(query) }
        }
        return queries
    }

    /// GitHub's anchor of a markdown heading.
    static func anchor(of heading: String) -> String {
        heading.lowercased().filter { $0.isLetter || $0.isNumber || $0 == " " || $0 == "-" || $0 == "_" }
            .replacingOccurrences(of: " ", with: "-")
    }

    /// Whether `path#anchor` (relative to `base`, a directory under the repository) names a
    /// file that exists and, with an anchor, a heading of that markdown file.
    static func resolves(_ link: String, from base: String) throws -> Bool {
        let parts = link.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard !parts[0].isEmpty else { return false }
        let file = repositoryRoot.appendingPathComponent(base).appendingPathComponent(parts[0]).standardized
        guard FileManager.default.fileExists(atPath: file.path) else { return false }
        guard parts.count == 2 else { return true }
        let headings = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
            .filter { $0.hasPrefix("#") }.map { anchor(of: $0.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)) }
        return headings.contains(parts[1])
    }

    @Test("the checker finds names the gateway does not export, suffixes only on histograms")
    func checkerRefusesUnexportedNames() {
        let promQL = """
            rate(velocity_jobs_vanished_total[5m]) + velocity_queue_depth_bucket
            + histogram_quantile(0.9, rate(velocity_job_duration_seconds_bucket[5m])) + my_velocity_thing
            + velocity_http_request_duration_seconds_count + velocity_queue_depth
            """
        #expect(Self.unexported(in: promQL) == ["velocity_jobs_vanished_total", "velocity_queue_depth_bucket"])
    }

    @Test("every alert rule has alert, expr, for, a severity, a summary, a description and a runbook that exists")
    func alertRulesAreSound() throws {
        let rules = try Self.alertRules()
        #expect(rules.count >= 10)
        var names: Set<String> = []
        for rule in rules {
            let name = try #require(rule["alert"]?.string, "a rule without alert: \(rule)")
            #expect(names.insert(name).inserted, "duplicate alert \(name)")
            #expect(name.first?.isUppercase == true && name.allSatisfy { $0.isLetter || $0.isNumber }, "\(name) is not CamelCase")
            #expect(rule["expr"]?.string?.isEmpty == false, "\(name) has no expr")
            let duration = rule["for"]?.string ?? ""
            #expect(duration.wholeMatch(of: /[0-9]+[smh]/) != nil, "\(name): for '\(duration)' is not a duration")
            #expect(
                ["critical", "warning"].contains(rule["labels"]?["severity"]?.string ?? ""),
                "\(name): severity must be critical or warning")
            #expect(rule["annotations"]?["summary"]?.string?.isEmpty == false, "\(name) has no summary")
            #expect(rule["annotations"]?["description"]?.string?.isEmpty == false, "\(name) has no description")
            let runbook = try #require(rule["annotations"]?["runbook_url"]?.string, "\(name) has no runbook_url")
            #expect(runbook.hasPrefix("ops/runbooks/"), "\(name): runbook_url \(runbook) is not under ops/runbooks")
            #expect(try Self.resolves(runbook, from: ""), "\(name): runbook_url \(runbook) names no runbook or heading")
        }
    }

    @Test("the alert rules use only metric names the gateway exports")
    func alertsUseExportedNames() throws {
        var referenced: Set<String> = []
        for rule in try Self.alertRules() {
            let name = rule["alert"]?.string ?? "?"
            let expr = rule["expr"]?.string ?? ""
            #expect(Self.unexported(in: expr).isEmpty, "\(name) uses \(Self.unexported(in: expr)), not in GatewayMetrics.names")
            let names = Self.referencedNames(in: expr)
            #expect(!names.isEmpty || expr.contains(#"up{job="velocity-gateway"}"#), "\(name) watches no velocity metric")
            referenced.formUnion(names)
        }
        // The alerts the issue asks for watch these.
        for required in [
            "velocity_queue_oldest_age_seconds", "velocity_lease_recoveries_total", "velocity_jobs_retried_total",
            "velocity_gpu_healthy", "velocity_backend_restarts_total", "velocity_agent_up",
            "velocity_agent_heartbeat_age_seconds", "velocity_jobs_dead_total", "velocity_box_switching",
            "velocity_queue_paused",
        ] {
            #expect(referenced.contains(required), "no alert watches \(required)")
        }
        // Nothing in the file (comments included) names a metric that does not exist.
        #expect(Self.unexported(in: try Self.text("ops/prometheus/alerts.yml")).isEmpty)
    }

    @Test("the dashboard is a Grafana model whose queries use only exported names, and shows every one")
    func dashboardUsesExportedNames() throws {
        let dashboard = try Self.dashboard()
        #expect(dashboard["uid"] as? String == "velocity-jobs")
        #expect((dashboard["title"] as? String)?.isEmpty == false)
        #expect(dashboard["schemaVersion"] is Int)
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        let ids = panels.compactMap { $0["id"] as? Int }
        #expect(ids.count == panels.count && Set(ids).count == ids.count, "panel ids must be present and unique")
        for panel in panels {
            let title = panel["title"] as? String ?? "?"
            let grid = try #require(panel["gridPos"] as? [String: Int], "\(title) has no gridPos")
            #expect((grid["x"] ?? -1) >= 0 && (grid["x"] ?? 0) + (grid["w"] ?? 0) <= 24, "\(title) is outside the 24-column grid")
            guard panel["type"] as? String != "row" else { continue }
            let targets = panel["targets"] as? [[String: Any]] ?? []
            #expect(!targets.isEmpty, "\(title) has no query")
            for target in targets {
                #expect((target["expr"] as? String)?.isEmpty == false, "\(title) has a target without expr")
                #expect(
                    (target["datasource"] as? [String: Any])?["uid"] as? String == "${datasource}",
                    "\(title) is not on the datasource variable")
            }
        }
        let queries = Self.dashboardQueries(dashboard).joined(separator: "\n")
        #expect(Self.unexported(in: queries).isEmpty, "the dashboard uses \(Self.unexported(in: queries))")
        let shown = Self.referencedNames(in: queries)
        for name in GatewayMetrics.names {
            #expect(shown.contains(name), "no dashboard panel shows \(name)")
        }
        // Titles, descriptions and legends too.
        #expect(Self.unexported(in: try Self.text("ops/grafana/velocity-dashboard.json")).isEmpty)
    }

    @Test("links between the runbooks and the ops index resolve to files and headings")
    func runbookLinksResolve() throws {
        let directory = Self.repositoryRoot.appendingPathComponent("ops/runbooks")
        let runbooks = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".md") }
        for required in [
            "switching-modes.md", "stuck-job.md", "gpu-out-of-memory.md", "redis-recovery.md", "rotating-api-keys.md",
            "hydration.md",
        ] {
            #expect(runbooks.contains(required), "ops/runbooks/\(required) is missing")
        }
        let documents = runbooks.map { ("ops/runbooks", $0) } + [("ops", "README.md")]
        for (base, name) in documents {
            let text = try Self.text(base + "/" + name)
            for match in text.matches(of: /\]\(([^)\s]+)\)/) {
                let link = String(match.1)
                if link.contains("://") { continue }
                let target = link.hasPrefix("#") ? "\(name)\(link)" : link
                #expect(try Self.resolves(target, from: base), "\(base)/\(name) links to \(link), which does not resolve")
            }
        }
    }

    @Test("ops/config/gateway.yaml sets every gateway setting and applies")
    func gatewayConfigurationApplies() throws {
        let settings = try GatewayConfiguration.settings(
            yaml: try Self.text("ops/config/gateway.yaml"), source: "ops/config/gateway.yaml")
        #expect(Set(settings.keys) == Set(GatewayConfiguration.keys.map(\.yaml)))
        var configuration = GatewayConfiguration()
        try configuration.apply(settings, source: "ops/config/gateway.yaml")
        #expect(configuration.namespace == "vj")
        #expect(configuration.postgresSchema == "velocity")
        #expect(configuration.recordSync)
        #expect(configuration.jwtSecret == nil)
        #expect(configuration.queueLimits["cpu"]?.caps["key:crm.import:*"] == 1)
    }

    @Test("the SGLang unit's mode files carry the box layout's --tp and --base-gpu-id")
    func sglangModeFilesMatchTheLayout() throws {
        func environment(_ path: String) throws -> [String: String] {
            var values: [String: String] = [:]
            for line in try Self.text(path).split(separator: "\n") where !line.hasPrefix("#") && line.contains("=") {
                let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                values[parts[0]] = parts[1]
            }
            return values
        }
        for mode in [BoxMode.llm, .split] {
            let layout = BoxLayout(mode: mode, gpuIndices: [0, 1, 2, 3])
            let values = try environment("ops/systemd/sglang-\(mode.rawValue).env")
            #expect(values["SGLANG_TP"] == String(layout.tensorParallelSize))
            #expect(values["SGLANG_BASE_GPU_ID"] == layout.baseGPUID.map(String.init))
            #expect(values["SGLANG_SNAPSHOT"]?.hasSuffix("/snapshots/\(mode.rawValue)") == true)
        }
    }

    @Test("a live gateway's /metrics exports exactly GatewayMetrics.names, histograms as declared")
    func renderedMetricsMatchNames() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            try await BoxAPITests.publish(fixture.gateway, box: "box-1", mode: .media, restarts: ["comfyui@0": 1])
            let submitted = try await client.execute(
                uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme),
                body: ByteBuffer(string: #"{"kind":"cpu.task","payload":{}}"#))
            let id = try #require(submitted.body.json["id"] as? String)
            let consumer = try await fixture.gateway.broker.makeConsumer(queue: "cpu", workerID: "ops-metrics-test")
            let job = try #require(try await consumer.claim(maxJobs: 1, wait: .seconds(5)).first)
            await consumer.close()
            #expect(job.lease.jobID == id)
            try await fixture.gateway.broker.complete(job.lease, result: #"{"ok":true}"#)
            // The finished record passes through the outbox, where its duration is observed.
            try await eventually("the job's record reached Postgres") {
                try await fixture.gateway.records.job(id: id)?.state == .succeeded
            }
            // Fair-share series: a tenant's queued job, running jobs under caps, a parked job.
            try await fixture.gateway.broker.setLimits(
                queue: "cpu", QueueLimits(caps: ["tenant:*": 5, "key:lead:*": 1]))
            for body in [
                #"{"kind":"cpu.task","payload":{},"concurrency_key":"lead:1"}"#,
                #"{"kind":"cpu.task","payload":{},"concurrency_key":"lead:1"}"#,
            ] {
                _ = try await client.execute(
                    uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme), body: ByteBuffer(string: body))
            }
            let limited = try await fixture.gateway.broker.makeConsumer(queue: "cpu", workerID: "ops-metrics-test")
            #expect(try await limited.claim(maxJobs: 1, wait: .zero).count == 1)
            #expect(try await limited.claim(maxJobs: 1, wait: .zero).isEmpty, "the second lead:1 job is parked")
            await limited.close()
            _ = try await client.execute(
                uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme),
                body: ByteBuffer(string: #"{"kind":"cpu.task","payload":{}}"#))
            // A running batch with one of its 2 lines ended: its window's risk ratio.
            _ = try await BatchLifecycleTests.batch(of: 2, on: fixture.gateway)
            let coordinator = BatchLifecycleTests.coordinator(fixture.gateway)
            try await coordinator.runOnce()
            _ = try await BatchTestSupport.work(fixture.gateway, count: 1)
            try await coordinator.runOnce()
            // A heartbeat now: the mode advice is exported for live boxes, and the steps above may
            // have outlasted the heartbeat timeout on a loaded machine.
            try await BoxAPITests.publish(fixture.gateway, box: "box-1", mode: .media, restarts: ["comfyui@0": 1])
            let response = try await client.execute(uri: "/metrics", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(response.status == .ok)
            var types: [String: String] = [:]
            var families: Set<String> = []
            let lines = String(buffer: response.body).split(separator: "\n")
            for line in lines where line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                if parts.count == 4 { types[String(parts[2])] = String(parts[3]) }
            }
            for line in lines where !line.hasPrefix("#") {
                var name = String(line.prefix { $0 != "{" && $0 != " " })
                for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
                    let base = String(name.dropLast(suffix.count))
                    if types[base] == "histogram" { name = base }
                }
                families.insert(name)
            }
            #expect(
                families == Set(GatewayMetrics.names),
                "exported but not listed: \(families.subtracting(GatewayMetrics.names).sorted()); listed but not exported: \(Set(GatewayMetrics.names).subtracting(families).sorted())"
            )
            #expect(Set(types.filter { $0.value == "histogram" }.keys) == Self.histograms)
        }
    }
}
