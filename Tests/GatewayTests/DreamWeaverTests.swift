import Broker
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Images
import JobContracts
import NIOCore
import RedisClient
import TestSupport
import Testing

@Suite("Dream Weaver API")
struct DreamWeaverTests {
    /// Uploads `image` as acme and returns the 202 body's job id.
    static func upload(
        _ image: [UInt8], filename: String = "room.png", seed: String? = nil, fixture: GatewayFixture,
        client: some TestClientProtocol, extra: HTTPFields = [:]
    ) async throws -> (status: HTTPResponse.Status, body: [String: Any]) {
        let body = MultipartBody.dreamWeaver(image: image, filename: filename, seed: seed)
        let response = try await client.execute(
            uri: "/dream-weaver", method: .post, headers: GatewayFixture.multipart(fixture.acme, body, extra),
            body: body.buffer)
        return (response.status, response.body.json)
    }

    @Test(
        "a PNG, a JPEG and a WebP are accepted: 202, the blob stored under the job, the job queued naming it",
        arguments: [
            (ImageFormat.png, ImageSamples.png(width: 48, height: 32), 48, 32),
            (.jpeg, ImageSamples.jpeg(width: 64, height: 40), 64, 40),
            (.webp, ImageSamples.webpLossy, 1, 1),
        ])
    func accepts(format: ImageFormat, image: [UInt8], width: Int, height: Int) async throws {
        try await GatewayFixture.withGateway { fixture, client in
            // The client's file name and content type are deliberately wrong: content decides.
            let (status, body) = try await Self.upload(
                image, filename: "photo.gif", seed: "4294967295", fixture: fixture, client: client)
            #expect(status == .accepted)
            let id = try #require(body["job_id"] as? String)
            #expect(JobID.isValid(id))
            #expect(body["status"] as? String == "queued")
            #expect(body["status_url"] as? String == "/dream-weaver/status/\(id)")
            #expect(body["result_url"] as? String == "/dream-weaver/result/\(id)")

            let key = "dream-weaver/\(id)/input.\(format.fileExtension)"
            #expect(try await fixture.gateway.blobs.read(key) == image)
            #expect(try fixture.stagedFiles().isEmpty)

            let record = try #require(try await fixture.gateway.records.job(id: id))
            #expect(record.submission.kind == "dream_weaver.render")
            #expect(record.submission.queue == "media")
            #expect(record.submission.tenant == "acme")
            let payload = try JSONDecoder().decode(DreamWeaverRender.Payload.self, from: Data(record.submission.payload.utf8))
            #expect(payload.input_blob == key)
            #expect(payload.output_blob == "dream-weaver/\(id)/output.png")
            #expect(payload.room_type == "living_room")
            #expect(payload.style == "warm scandinavian")
            #expect(payload.seed == 4_294_967_295)
            #expect(
                payload.image
                    == DreamWeaverRender.Payload.Image(
                        format: format.rawValue, width: width, height: height, bytes: image.count))

            let snapshot = try #require(try await fixture.gateway.broker.job(queue: "media", id: id))
            #expect(snapshot.state == .queued)
            #expect(snapshot.payload == record.submission.payload)
        }
    }

    @Test("the payload's seed is null when the client sends none, or an empty field")
    func seedOptional() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            for seed in [nil, ""] as [String?] {
                let (status, body) = try await Self.upload(
                    ImageSamples.png(width: 4, height: 4), seed: seed, fixture: fixture, client: client)
                #expect(status == .accepted)
                let id = try #require(body["job_id"] as? String)
                let payload = try #require(try await fixture.gateway.records.job(id: id)).submission.payload
                #expect(payload.contains(#""seed":null"#))
            }
        }
    }

    @Test("an upload chooses a workflow the boxes render: the payload names it and the job's affinity is it")
    func workflowChoice() async throws {
        try await GatewayFixture.withGateway(configure: { $0.dreamWeaverWorkflows = ["dream_weaver", "dream_weaver_twilight"] }) {
            fixture, client in
            var chosen = MultipartBody.dreamWeaver(image: ImageSamples.png(width: 4, height: 4))
            chosen.field("workflow", "dream_weaver_twilight")
            let plain = MultipartBody.dreamWeaver(image: ImageSamples.png(width: 5, height: 4))
            var affinities: [String?] = []
            var workflows: [String?] = []
            for body in [chosen, plain] {
                let response = try await client.execute(
                    uri: "/dream-weaver", method: .post, headers: GatewayFixture.multipart(fixture.acme, body), body: body.buffer)
                #expect(response.status == .accepted)
                let id = try #require(response.body.json["job_id"] as? String)
                let record = try #require(try await fixture.gateway.records.job(id: id))
                let payload = try JSONDecoder().decode(DreamWeaverRender.Payload.self, from: Data(record.submission.payload.utf8))
                workflows.append(payload.workflow)
                let broker = fixture.gateway.broker
                affinities.append(try await broker.send(RedisCommand("HGET", [broker.keys("media").job(id), "affinity"])).string)
            }
            #expect(workflows == ["dream_weaver_twilight", nil])
            #expect(affinities == ["workflow:dream_weaver_twilight", "workflow:dream_weaver"])
        }
    }

    @Test("status while queued shows queue_position; result answers 409 with the same status JSON")
    func pollingWhileQueued() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let first = try #require(
                try await Self.upload(ImageSamples.png(width: 8, height: 8), fixture: fixture, client: client).body["job_id"]
                    as? String)
            let second = try #require(
                try await Self.upload(ImageSamples.jpeg(width: 8, height: 8), fixture: fixture, client: client).body["job_id"]
                    as? String)

            let status = try await client.execute(
                uri: "/dream-weaver/status/\(second)", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(status.status == .ok)
            let json = status.body.json
            #expect(json["job_id"] as? String == second)
            #expect(json["id"] as? String == second)
            #expect(json["status"] as? String == "queued")
            #expect(json["queue_position"] as? Int == 1)
            #expect(json["kind"] as? String == "dream_weaver.render")
            #expect(json["result_url"] as? String == "/dream-weaver/result/\(second)")
            #expect(json["metrics"] is [String: Any])
            let firstStatus = try await client.execute(
                uri: "/dream-weaver/status/\(first)", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(firstStatus.body.json["queue_position"] as? Int == 0)

            let result = try await client.execute(
                uri: "/dream-weaver/result/\(second)", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(result.status == .conflict)
            #expect(result.headers[.contentType]?.hasPrefix("application/json") == true)
            let conflict = result.body.json
            // The status JSON, not the error shape.
            #expect(conflict["job_id"] as? String == second)
            #expect(conflict["status"] as? String == "queued")
            #expect(conflict["queue_position"] as? Int == 1)
            #expect(conflict["error"] == nil)
        }
    }

    @Test("a worker renders: the result route then returns the PNG it wrote")
    func workerCompletes() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let id = try #require(
                try await Self.upload(ImageSamples.webpLossless, fixture: fixture, client: client).body["job_id"] as? String)

            let consumer = try await fixture.gateway.broker.makeConsumer(queue: "media", workerID: "test-render-worker")
            let claimed = try await consumer.claim(maxJobs: 1, wait: .seconds(10))
            await consumer.close()
            let job = try #require(claimed.first)
            #expect(job.lease.jobID == id)
            let payload = try JSONDecoder().decode(DreamWeaverRender.Payload.self, from: Data(job.payload.utf8))
            #expect(try await fixture.gateway.blobs.read(payload.input_blob) == ImageSamples.webpLossless)

            let running = try await client.execute(
                uri: "/dream-weaver/result/\(id)", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(running.status == .conflict)
            #expect(running.body.json["status"] as? String != "queued")

            let render = ImageSamples.png(width: 24, height: 16, gray: 0x20)
            try await fixture.gateway.blobs.write(render, as: payload.output_blob)
            try await fixture.gateway.broker.complete(
                job.lease, result: #"{"output_blob":"\#(payload.output_blob)","width":24,"height":16}"#)

            let status = try await client.execute(
                uri: "/dream-weaver/status/\(id)", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(status.body.json["status"] as? String == "succeeded")
            let result = try await client.execute(
                uri: "/dream-weaver/result/\(id)", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(result.status == .ok)
            #expect(result.headers[.contentType] == "image/png")
            #expect(Array(result.body.readableBytesView) == render)

            // Another tenant sees none of it.
            for uri in ["/dream-weaver/status/\(id)", "/dream-weaver/result/\(id)"] {
                let other = try await client.execute(uri: uri, method: .get, headers: GatewayFixture.auth(fixture.globex))
                #expect(other.status == .notFound)
                #expect((other.body.json["error"] as? [String: Any])?["code"] as? String == "not_found")
            }
        }
    }

    @Test("a failed render: result answers 409 with the status JSON, whose error says why")
    func workerFails() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let id = try #require(
                try await Self.upload(ImageSamples.png(width: 8, height: 8), fixture: fixture, client: client).body["job_id"]
                    as? String)
            let consumer = try await fixture.gateway.broker.makeConsumer(queue: "media", workerID: "test-render-worker")
            let job = try #require(try await consumer.claim(maxJobs: 1, wait: .seconds(10)).first)
            await consumer.close()
            _ = try await fixture.gateway.broker.fail(
                job.lease, JobFailure(code: "comfyui_node_error", message: "KSampler: out of memory", retriable: false))
            let result = try await client.execute(
                uri: "/dream-weaver/result/\(id)", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(result.status == .conflict)
            let json = result.body.json
            #expect(json["job_id"] as? String == id)
            #expect(["failed", "dead"].contains(json["status"] as? String ?? ""))
            let error = try #require(json["error"] as? [String: Any])
            #expect(error["code"] as? String == "comfyui_node_error")
            #expect(error["message"] as? String == "KSampler: out of memory")
        }
    }

    @Test("status and result are 404 for an unknown id, a malformed id, and a job of another kind")
    func notFound() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let other = try await client.execute(
                uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme),
                body: ByteBuffer(string: #"{"kind":"cpu.task","payload":{}}"#))
            let otherID = try #require(other.body.json["id"] as? String)
            for id in [JobID.make(), "not-a-job", otherID] {
                for route in ["status", "result"] {
                    let response = try await client.execute(
                        uri: "/dream-weaver/\(route)/\(id)", method: .get, headers: GatewayFixture.auth(fixture.acme))
                    #expect(response.status == .notFound, "\(route) of \(id)")
                }
            }
        }
    }

    @Test("an Idempotency-Key repeat answers the first job and stores no second image")
    func idempotency() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "living-room-7"]
            let image = ImageSamples.png(width: 8, height: 8)
            let first = try await Self.upload(image, fixture: fixture, client: client, extra: key)
            let second = try await Self.upload(image, fixture: fixture, client: client, extra: key)
            #expect(first.status == .accepted)
            #expect(second.status == .ok)
            #expect(first.body["job_id"] as? String == second.body["job_id"] as? String)
            let stored = try await fixture.storedSomething()
            #expect(stored.rows == 1)
            #expect(stored.blobs == 1)
        }
    }

    @Test("health reports the media queue, degraded while it is paused, and needs auth")
    func health() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            _ = try await Self.upload(ImageSamples.png(width: 8, height: 8), fixture: fixture, client: client)
            let ok = try await client.execute(
                uri: "/dream-weaver/health", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(ok.status == .ok)
            #expect(ok.body.json["status"] as? String == "ok")
            let queue = try #require(ok.body.json["queue"] as? [String: Any])
            #expect(queue["name"] as? String == "media")
            #expect(queue["paused"] as? Bool == false)
            #expect(queue["queued"] as? Int == 1)
            #expect(queue["active"] as? Int == 0)
            #expect(queue["oldest_waiting_ms"] is Int)

            try await fixture.gateway.broker.setPaused(queue: "media", true)
            let degraded = try await client.execute(
                uri: "/dream-weaver/health", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(degraded.body.json["status"] as? String == "degraded")
            #expect((degraded.body.json["queue"] as? [String: Any])?["paused"] as? Bool == true)

            let anonymous = try await client.execute(uri: "/dream-weaver/health", method: .get)
            #expect(anonymous.status == .unauthorized)
        }
    }
}
