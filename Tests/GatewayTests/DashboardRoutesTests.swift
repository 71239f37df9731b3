import Broker
import Foundation
import GPUBox
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import Gateway

/// The dashboard's page and files (public, with a strict Content-Security-Policy), `/v1/me`,
/// `/v1/dashboard/overview` and the Dream Weaver photo it shows beside the render.
@Suite("Dashboard routes")
struct DashboardRoutesTests {
    /// The modules a JavaScript file imports, relative to the file (`./x.js`, `../y.js`).
    static func imports(of source: String) -> [String] {
        let pattern =
            #/(?:import|export)[^'"]*?\bfrom\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|import\s+["']([^"']+)["']/#
        return source.matches(of: pattern).compactMap { match in
            (match.output.1 ?? match.output.2 ?? match.output.3).map(String.init)
        }
    }

    static func resolve(_ relative: String, from path: String) -> String {
        if relative.hasPrefix("/") { return relative }
        var parts = path.split(separator: "/").dropLast().map(String.init)
        for part in relative.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { _ = parts.popLast() } else { parts.append(String(part)) }
        }
        return "/" + parts.joined(separator: "/")
    }

    @Test("the page is public, has no inline script or style, and every file it loads is served")
    func pageAndFiles() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let policy = try #require(page.headers[.contentSecurityPolicy])
            #expect(policy.contains("script-src 'self'") && policy.contains("style-src 'self'") && !policy.contains("unsafe"))
            #expect(page.headers[.xContentTypeOptions] == "nosniff")
            let html = String(buffer: page.body)
            #expect(html.contains("<!doctype html>") || html.contains("<!DOCTYPE html>"))
            // Inline scripts, inline handlers and style attributes would all be refused by the policy.
            #expect(html.matches(of: #/<script(?![^>]*\bsrc=)[^>]*>/#).isEmpty, "an inline <script>")
            #expect(html.matches(of: #/\son[a-z]+\s*=/#).isEmpty, "an inline event handler")
            #expect(html.matches(of: #/\sstyle\s*=/#).isEmpty, "a style attribute")

            var pending = html.matches(of: #/(?:src|href)="(/dashboard/[^"]+)"/#).map { String($0.output.1) }
            #expect(pending.contains { $0.hasSuffix(".js") } && pending.contains { $0.hasSuffix(".css") })
            var served: Set<String> = []
            while let path = pending.popLast() {
                guard served.insert(path).inserted else { continue }
                let file = try await client.execute(uri: path, method: .get)
                #expect(file.status == .ok, "\(path)")
                #expect(file.headers[.contentSecurityPolicy] != nil, "\(path)")
                if path.hasSuffix(".js") {
                    #expect(file.headers[.contentType] == "text/javascript; charset=utf-8", "\(path)")
                    let source = String(buffer: file.body)
                    #expect(!source.contains("eval(") && !source.contains("new Function"), "\(path)")
                    pending += Self.imports(of: source).map { Self.resolve($0, from: path) }
                }
            }
            #expect(served.count >= 5, "the page and its modules: \(served.sorted())")
            _ = fixture
        }
    }

    @Test("a deep link gets the page; an unknown file or a path out of the site is a 404, and the data needs a key")
    func refusals() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let deep = try await client.execute(uri: "/dashboard/jobs", method: .get)
            #expect(deep.status == .ok && String(buffer: deep.body).contains("/dashboard/js/"))
            for path in [
                "/dashboard/missing.js", "/dashboard/../Package.swift", "/dashboard/%2e%2e/Package.swift",
                "/dashboard/js/../../Package.swift",
            ] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .notFound, "\(path)")
                #expect(!String(buffer: response.body).contains("swift-tools-version"), "\(path)")
            }
            for path in ["/v1/me", "/v1/dashboard/overview"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .unauthorized, "\(path)")
                #expect(response.body.json["error"] != nil)
            }
            _ = fixture
        }
    }

    @Test("/v1/me says who the key is")
    func me() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let submitter = try await client.execute(uri: "/v1/me", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(submitter.status == .ok)
            #expect(submitter.body.json["tenant"] as? String == "acme")
            #expect(submitter.body.json["role"] as? String == "submitter")
            let operatorKey = try await client.execute(
                uri: "/v1/me", method: .get, headers: GatewayFixture.auth(fixture.operatorKey))
            #expect(operatorKey.body.json["role"] as? String == "operator")
        }
    }

    @Test("the overview: every queue with its sampled series, the dead count and the alerts")
    func overview() async throws {
        try await GatewayFixture.withGateway(configure: { $0.dashboardSampleMilliseconds = 100 }) { fixture, client in
            _ = try await OperationsTests.submit(client, fixture.acme, maxAttempts: 1)
            _ = try await OperationsTests.submit(client, fixture.acme, maxAttempts: 1)
            _ = try await OperationsTests.killNext(fixture.gateway)
            // The sampler adds a sample every 100 ms: wait for a few.
            var series: [[String: Any]] = []
            var body: [String: Any] = [:]
            for _ in 0..<100 where series.count < 4 {
                try await Task.sleep(for: .milliseconds(100))
                let response = try await client.execute(
                    uri: "/v1/dashboard/overview", method: .get, headers: GatewayFixture.auth(fixture.acme))
                #expect(response.status == .ok)
                body = response.body.json
                let queues = body["queues"] as? [[String: Any]] ?? []
                series = queues.first { $0["name"] as? String == "cpu" }?["series"] as? [[String: Any]] ?? []
            }
            #expect(series.count >= 4)
            #expect(body["interval_ms"] as? Int == 100)
            let queues = try #require(body["queues"] as? [[String: Any]])
            #expect(Set(queues.compactMap { $0["name"] as? String }) == Set(fixture.gateway.kinds.queues))
            let cpu = try #require(queues.first { $0["name"] as? String == "cpu" })
            #expect((cpu["depth"] as? [String: Int])?["queued"] == 1)
            #expect((cpu["depth"] as? [String: Int])?["dead"] == 1)
            #expect(series.last?["queued"] as? Int == 1 && series.last?["dead"] as? Int == 1)
            let times = series.compactMap { $0["t"] as? Int }
            #expect(times == times.sorted())
            #expect(body["dead_total"] as? Int == 1)
            // The dead job is a condition of VelocityDeadJobs at once: pending until it held a minute.
            let alerts = try #require(body["alerts"] as? [[String: Any]])
            let dead = try #require(alerts.first { $0["name"] as? String == "VelocityDeadJobs" })
            #expect(dead["state"] as? String == "pending")
            #expect((dead["labels"] as? [String: String])?["queue"] == "cpu")
            #expect(dead["runbook"] as? String == "ops/runbooks/stuck-job.md#retries-and-dead-jobs")
            #expect((body["boxes"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("the uploaded photo of a render, to its tenant only")
    func dreamWeaverInput() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let photo = ImageSamples.jpeg(width: 8, height: 8)
            let upload = try await DreamWeaverTests.upload(photo, filename: "room.jpg", fixture: fixture, client: client)
            let id = try #require(upload.body["job_id"] as? String)
            let own = try await client.execute(
                uri: "/dream-weaver/input/\(id)", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(own.status == .ok)
            #expect(own.headers[.contentType] == "image/jpeg")
            #expect(Array(own.body.readableBytesView) == photo)
            let other = try await client.execute(
                uri: "/dream-weaver/input/\(id)", method: .get, headers: GatewayFixture.auth(fixture.globex))
            #expect(other.status == .notFound)
            let unknown = try await client.execute(
                uri: "/dream-weaver/input/\(JobID.make())", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(unknown.status == .notFound)
        }
    }
}

extension DashboardRoutesTests {
    @Test("an admin lists another tenant's jobs with tenant=; anyone else is refused (403)")
    func adminTenantFilter() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let id = try await OperationsTests.submit(client, fixture.acme)
            let admin = try await fixture.gateway.keys.create(tenant: "platform", role: .admin).token
            let listed = try await client.execute(uri: "/v1/jobs?tenant=acme", method: .get, headers: GatewayFixture.auth(admin))
            #expect(listed.status == .ok)
            #expect((listed.body.json["data"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
            let own = try await client.execute(uri: "/v1/jobs", method: .get, headers: GatewayFixture.auth(admin))
            #expect((own.body.json["data"] as? [Any])?.isEmpty == true)
            let refused = try await client.execute(
                uri: "/v1/jobs?tenant=acme", method: .get, headers: GatewayFixture.auth(fixture.globex))
            #expect(refused.status == .forbidden)
            #expect(String(buffer: refused.body).contains("only an admin lists another tenant's jobs"))
            let self_ = try await client.execute(
                uri: "/v1/jobs?tenant=acme", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(self_.status == .ok)
        }
    }
}

extension DashboardRoutesTests {
    @Test("a GPU's current job carries its progress in /v1/gpus and the overview's boxes")
    func gpuJobProgress() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let upload = try await DreamWeaverTests.upload(
                ImageSamples.png(width: 8, height: 8), fixture: fixture, client: client)
            let id = try #require(upload.body["job_id"] as? String)
            let consumer = try await fixture.gateway.broker.makeConsumer(queue: "media", workerID: "gpu-test")
            let job = try #require(try await consumer.claim(maxJobs: 1, wait: .seconds(5)).first)
            await consumer.close()
            _ = try await fixture.gateway.broker.heartbeat(job.lease, progress: JobProgress(fraction: 0.4, message: "step 8/20"))
            try await fixture.gateway.boxes.publish(
                BoxStatus(
                    box: "box-1", mode: .media, desiredMode: nil, heartbeatMilliseconds: 0, backendRestarts: [:],
                    gpus: [
                        GPUStatus(
                            index: 0, uuid: "GPU-0", name: "NVIDIA L4", role: "media", backend: "comfyui@0",
                            backendState: "consuming", currentJob: id),
                        {
                            var failing = GPUStatus(
                                index: 1, uuid: "GPU-1", name: "NVIDIA L4", role: "media", backend: "comfyui@1")
                            failing.backendOutput = ["RuntimeError: prompt 'secret listing' failed"]
                            return failing
                        }(),
                    ]))
            // What a backend printed may quote any tenant's prompt: operators only.
            for (key, shown) in [(fixture.acme, false), (fixture.operatorKey, true)] {
                let response = try await client.execute(uri: "/v1/gpus", method: .get, headers: GatewayFixture.auth(key))
                let gpus = ((response.body.json["data"] as? [[String: Any]])?.first?["gpus"] as? [[String: Any]]) ?? []
                #expect((gpus.last?["backend_output"] != nil) == shown)
            }
            for uri in ["/v1/gpus", "/v1/dashboard/overview"] {
                let response = try await client.execute(uri: uri, method: .get, headers: GatewayFixture.auth(fixture.acme))
                let boxes = try #require((response.body.json[uri == "/v1/gpus" ? "data" : "boxes"]) as? [[String: Any]])
                let gpus = try #require(boxes.first?["gpus"] as? [[String: Any]])
                #expect(gpus[0]["current_job"] as? String == id, "\(uri)")
                #expect(gpus[0]["current_job_progress"] as? Double == 0.4, "\(uri)")
                #expect(gpus[1]["current_job_progress"] == nil, "\(uri)")
            }
        }
    }
}

extension DashboardRoutesTests {
    @Test("since= keeps the jobs made at or after a time (ISO 8601 or Unix ms); a bad one is refused")
    func jobsSince() async throws {
        let now = Date()
        #expect(JobID.floor(of: now) <= JobID.make(now: now))
        // 48 bits of Unix milliseconds, then the version, then nothing: the least id of that millisecond.
        #expect(JobID.floor(of: Date(timeIntervalSince1970: 1.5)) == "00000000-05dc-7000-8000-000000000000")
        #expect(JobID.floor(of: now.addingTimeInterval(0.001)) > JobID.floor(of: now))
        try await GatewayFixture.withGateway { fixture, client in
            let id = try await OperationsTests.submit(client, fixture.acme)
            func list(_ since: String) async throws -> TestResponse {
                try await client.execute(uri: "/v1/jobs?since=\(since)", method: .get, headers: GatewayFixture.auth(fixture.acme))
            }
            func ids(_ response: TestResponse) -> [String] {
                (response.body.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
            }
            let hourAgo = Int((Date().timeIntervalSince1970 - 3600) * 1000)
            #expect(ids(try await list(String(hourAgo))) == [id])
            #expect(ids(try await list("2020-01-01T00:00:00Z")) == [id])
            #expect(ids(try await list("2999-01-01T00:00:00.000Z")).isEmpty)
            // Not a time, before 1970, or past the 48 bits of milliseconds a job id holds.
            for bad in ["yesterday", "1969-12-31T23:59:59Z", String(1 << 48)] {
                let refused = try await list(bad)
                #expect(refused.status.code == 422, "\(bad)")
                #expect(String(buffer: refused.body).contains("since"), "\(bad)")
            }
        }
    }
}

extension DashboardRoutesTests {
    @Test("a job's failed attempts say where each ran and how it failed, also through a replay")
    func attemptHistory() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let id = try await OperationsTests.submit(client, fixture.acme, maxAttempts: 1)
            func history() async throws -> [[String: Any]] {
                let view = try await client.execute(
                    uri: "/v1/jobs/\(id)", method: .get, headers: GatewayFixture.auth(fixture.acme))
                return view.body.json["attempt_history"] as? [[String: Any]] ?? []
            }
            #expect(try await history().isEmpty)
            #expect(try await OperationsTests.killNext(fixture.gateway) == id)
            var entries = try await history()
            #expect(entries.count == 1)
            #expect(entries.first?["attempt"] as? Int == 1)
            #expect((entries.first?["worker"] as? String)?.hasPrefix("ops-test") == true)
            #expect(entries.first?["error_code"] as? String == "boom")
            let replay = try await client.execute(
                uri: "/v1/queues/cpu/dead/\(id)/replay", method: .post, headers: GatewayFixture.auth(fixture.operatorKey))
            #expect(replay.status == .ok)
            #expect(try await OperationsTests.killNext(fixture.gateway) == id)
            entries = try await history()
            #expect(entries.count == 2)
            #expect(entries.map { $0["attempt"] as? Int } == [1, 1])
        }
    }
}

extension DashboardRoutesTests {
    @Test("without its files the dashboard says where they belong, and the API works as before")
    func notInstalled() async throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("no-dashboard-\(UUID())")
        try await GatewayFixture.withGateway(configure: { $0.dashboardDirectory = empty.path }) { fixture, client in
            for path in ["/", "/dashboard/js/app.js"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .notFound, "\(path)")
                #expect(String(buffer: response.body).contains("dashboard_not_installed"), "\(path)")
            }
            let me = try await client.execute(uri: "/v1/me", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(me.status == .ok)
        }
        // Found where the build puts it, next to the running executable.
        #expect(DashboardAssets.locate()?.lastPathComponent == "site")
    }
}
