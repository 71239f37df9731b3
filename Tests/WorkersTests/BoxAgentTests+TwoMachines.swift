import BlobStore
import Broker
import CurlClient
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Images
import NIOCore
import S3BlobStore
import TestSupport
import Testing

@testable import Workers

/// The platform's deployment: the gateway on one machine, the GPU box on another, sharing only
/// Redis, Postgres and an S3 bucket. Each side has its own S3 client and staging directory; no
/// directory is common to both. (In the box agent's serialized suite: agents with emulator
/// processes run one at a time.)
extension BoxAgentTests {
    static func twoMachineStore(_ moto: SharedMoto.Handle, bucket: String, http: CurlHTTPClient) throws -> (S3BlobStore, URL) {
        let staging = FileManager.default.temporaryDirectory.appendingPathComponent("vj-machine-\(UUID().uuidString)")
        let store = try S3BlobStore(
            configuration: .init(bucket: bucket, prefix: "velocity/", credentials: moto.credentials, stagingDirectory: staging),
            http: http)
        return (store, staging)
    }

    /// A gateway's configuration on the test servers: the Redis namespace given (an agent's, to
    /// share its queues) and a Postgres schema of its own, created here (`dropSchema` drops it).
    static func gatewayConfiguration(namespace: String, blobDirectory: String) async throws -> GatewayConfiguration {
        let postgresURL = try TestServers.postgresURL()
        let schema = "m_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try await PostgresConnection.connect(url: postgresURL)
        _ = try await admin.query("CREATE SCHEMA \(schema)")
        await admin.close()
        var configuration = GatewayConfiguration()
        configuration.redisURL = try TestServers.redisURL()
        configuration.postgresURL = postgresURL
        configuration.postgresSchema = schema
        configuration.namespace = namespace
        configuration.blobDirectory = blobDirectory
        configuration.redisConnections = 2
        configuration.postgresConnections = 2
        return configuration
    }

    static func dropSchema(of configuration: GatewayConfiguration) async {
        guard let schema = configuration.postgresSchema,
            let admin = try? await PostgresConnection.connect(url: configuration.postgresURL)
        else { return }
        _ = try? await admin.query("DROP SCHEMA \(schema) CASCADE")
        await admin.close()
    }

    @Test("a photo uploaded to the gateway is rendered by the agent's ComfyUI and read back, through S3 alone")
    func renderThroughS3() async throws {
        let moto = try await SharedMoto.handle()
        let bucket = try await moto.makeBucket()
        let gatewayHTTP = CurlHTTPClient()
        let boxHTTP = CurlHTTPClient()
        defer {
            Task {
                try? await gatewayHTTP.shutdown()
                try? await boxHTTP.shutdown()
            }
        }
        let (gatewayBlobs, gatewayStaging) = try Self.twoMachineStore(moto, bucket: bucket, http: gatewayHTTP)
        let (boxBlobs, boxStaging) = try Self.twoMachineStore(moto, bucket: bucket, http: boxHTTP)
        let fixture = try await AgentFixture.make(gpus: 1, blobs: boxBlobs)

        // The blob directory is never created: with an S3 store the gateway keeps no blob on its disk.
        let configuration = try await Self.gatewayConfiguration(
            namespace: fixture.broker.namespace,
            blobDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("vj-unused-\(UUID().uuidString)").path)
        let gateway = try await Gateway.connect(configuration, blobs: gatewayBlobs)
        let key = try await gateway.keys.create(tenant: "acme", role: .submitter).token
        defer {
            Task {
                await gateway.close()
                await Self.dropSchema(of: configuration)
            }
        }

        try await fixture.withAgent { _ in
            _ = try await fixture.waitForMode(.media)
            try await gateway.makeApplication().test(.router) { client in
                let id = try await Self.uploadRender(client, key: key, style: "coastal")

                var status: [String: Any] = [:]
                try await eventually("the render succeeds", limit: .seconds(60)) {
                    let response = try await client.execute(
                        uri: "/dream-weaver/status/\(id)", method: .get, headers: [.authorization: "Bearer \(key)"])
                    status = (try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]) ?? [:]
                    return ["succeeded", "failed", "dead"].contains(status["status"] as? String ?? "")
                }
                #expect(status["status"] as? String == "succeeded", "\(status)")
                let result = try await client.execute(
                    uri: "/dream-weaver/result/\(id)", method: .get, headers: [.authorization: "Bearer \(key)"])
                #expect(result.status == .ok)
                let png = Array(result.body.readableBytesView)
                #expect(try PNGCodec.decode(png).width == 32)
                // The render the box wrote is the object the gateway served, and a presigned URL
                // of it is in the status (fetching it is `S3BlobStoreTests`' job: this moto
                // checks signatures, which it cannot do for presigned URLs).
                let output = try await boxBlobs.read("dream-weaver/\(id)/output.png")
                #expect(output == png)
                let url = try #require(status["output_url"] as? String)
                #expect(url.hasPrefix("\(moto.endpoint)/\(bucket)/velocity/dream-weaver/\(id)/output.png?X-Amz-Algorithm="))
            }
        }
        // Nothing was left in either side's staging area, and the gateway never used a directory.
        for staging in [gatewayStaging, boxStaging] {
            let left = ((try? FileManager.default.subpathsOfDirectory(atPath: staging.path)) ?? []).filter { path in
                var directory: ObjCBool = false
                return FileManager.default.fileExists(atPath: staging.path + "/" + path, isDirectory: &directory)
                    && !directory.boolValue
            }
            #expect(left.isEmpty, "\(left)")
            try? FileManager.default.removeItem(at: staging)
        }
        #expect(!FileManager.default.fileExists(atPath: configuration.blobDirectory))
    }
}
